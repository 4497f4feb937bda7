using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>Real-valued targets: an identity output and mean squared error by default, a warning when the output
/// activation cannot reach the targets, and RMSE, MAE and R² from <c>train</c> and <c>eval</c>.</summary>
public partial class RegressionCliTests
{
    private static readonly string[] Fit = ["--targets", "1", "--test-fraction", "0.2", "--layers", "32",
        "--activation", "tanh", "--optimizer", "adam", "--lr", "0.01", "--batch", "16",
        "--backend", "simd", "--no-progress"];

    /// <summary>y = sin x1 + x2 on a grid: targets in (−2, 2), outside a sigmoid's range.</summary>
    private static string SineData(TempDirectory dir)
    {
        var text = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 20; i++)
        {
            for (int j = 0; j < 10; j++)
            {
                double x1 = -3 + 6.0 * i / 19, x2 = -1 + 2.0 * j / 9;
                text.Append(CultureInfo.InvariantCulture, $"{x1:R},{x2:R},{Math.Sin(x1) + x2:R}\n");
            }
        }
        return dir.Write("sine.csv", text.ToString());
    }

    [Fact]
    public void RealValuedTargetsDefaultToAnIdentityOutputAndMeanSquaredErrorAndFitASine()
    {
        using var dir = new TempDirectory();
        CliRun run = CliRun.Of(["train", "--data", SineData(dir), .. Fit, "--epochs", "60"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("network 2-32-1 (tanh, identity), loss mse", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", run.Error, StringComparison.Ordinal);
        // A sigmoid output stalls near 0.25 on these targets; the variance of y alone is about 0.8.
        Assert.True(TestLoss(run.Output) < 0.02, run.ToString());
    }

    [Fact]
    public void TrainAndEvalReportTheSameTestScoresAndRmseSquaredIsTheMeanSquaredError()
    {
        using var dir = new TempDirectory();
        string model = dir.File("sine.json");
        CliRun train = CliRun.Of(["train", "--data", SineData(dir), .. Fit, "--epochs", "10", "--save", model]);
        Assert.True(train.ExitCode == 0, train.ToString());

        CliRun eval = CliRun.Of("eval", "--model", model, "--backend", "simd");

        Assert.True(eval.ExitCode == 0, eval.ToString());
        double loss = TestLoss(train.Output);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"loss (mse) {loss:G9}"), eval.Output, StringComparison.Ordinal);
        Match test = Scores().Match(train.Output);
        Assert.True(test.Success, train.ToString());
        Assert.Contains(test.Value.Replace("test ", "", StringComparison.Ordinal), eval.Output, StringComparison.Ordinal);
        // One target: the mean squared error is RMSE² (float32 sums on one side, float64 on the other).
        double rmse = double.Parse(test.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(loss, rmse * rmse, loss * 1e-4);
        Assert.DoesNotContain("accuracy", eval.Output, StringComparison.Ordinal);

        CliRun other = CliRun.Of("eval", "--model", model, "--backend", "simd", "--loss", "half-squared-error");
        Assert.Matches(@"loss \(half-squared-error\) [0-9.E+-]+ \(the model was trained with mse\)", other.Output);
    }

    [Fact]
    public void MetricsFileHoldsRmseMaeAndR2ForTrainingAndValidation()
    {
        using var dir = new TempDirectory();
        string metrics = dir.File("m.jsonl");
        CliRun run = CliRun.Of(["train", "--data", SineData(dir), .. Fit, "--epochs", "2", "--validation-fraction", "0.1",
            "--metrics", metrics]);

        Assert.True(run.ExitCode == 0, run.ToString());
        JsonElement last = JsonDocument.Parse(File.ReadAllLines(metrics)[^1]).RootElement;
        foreach (string name in new[] { "rmse", "mae", "r2", "val_rmse", "val_mae", "val_r2" })
        {
            Assert.Equal(JsonValueKind.Number, last.GetProperty(name).ValueKind);
        }
        Assert.Equal(JsonValueKind.Null, last.GetProperty("accuracy").ValueKind);
        Assert.Contains("val rmse ", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sigmoid", "(0, 1)")]
    [InlineData("tanh", "(-1, 1)")]
    public void AnOutputActivationThatCannotReachTheTargetsIsAWarningNamingItsRange(string activation, string range)
    {
        using var dir = new TempDirectory();
        string data = dir.Write("wide.csv", "0.1,-1.5\n0.2,0.5\n0.3,2.25\n");

        CliRun run = CliRun.Of("train", "--data", data, "--targets", "1", "--output-activation", activation,
            "--epochs", "1", "--backend", "simd", "--no-progress");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"only reaches {range}", run.Error, StringComparison.Ordinal);
        Assert.Contains("[-1.5, 2.25]", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TargetsInsideTheOutputRangeGiveNoWarning()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("unit.csv", "0.1,0\n0.2,0.5\n0.3,1\n");

        CliRun run = CliRun.Of("train", "--data", data, "--targets", "1", "--output-activation", "sigmoid",
            "--epochs", "1", "--backend", "simd", "--no-progress");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("warning", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identity", "mse")]
    [InlineData("sigmoid", "half-squared-error")]
    public void AVersionOneRegressionModelIsScoredWithTheLossItsOutputLayerImplies(string output, string loss)
    {
        using var dir = new TempDirectory();
        string data = dir.Write("unit.csv", "0.1,0\n0.2,0.5\n0.3,1\n");
        CliRun train = CliRun.Of("train", "--data", data, "--targets", "1", "--output-activation", output, "--loss", loss,
            "--epochs", "1", "--backend", "simd", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        Model.Model model = ModelJson.Read(dir.File("m.json"));
        // The same layers without any metadata, as FastNet wrote model files before version 2.
        dir.Write("v1.json", ModelJson.ToJson(new Model.Model(model.Spec, model.Parameters))
            .Replace("\"version\": 2", "\"version\": 1", StringComparison.Ordinal));

        CliRun eval = CliRun.Of("eval", "--model", dir.File("v1.json"), "--data", data, "--targets", "1", "--backend", "simd");

        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains($"loss ({loss}) ", eval.Output, StringComparison.Ordinal);
    }

    // softmax(z) − t is cross-entropy's gradient only where a row of targets sums to 1: any other row would train
    // towards another minimum than that of the loss reported (0.9 and 0.3 towards 0.8 and 0.2, not 0.75 and 0.25)
    [Theory]
    [InlineData("1,0.9,0.3\n1,0.5,0.5\n", "example 1 of rows.csv sums to 1.19999999")]
    [InlineData("1,0.5,0.5\n1,1.25,-0.25\n", "example 2 of rows.csv has the negative target -0.25")]
    public void CrossEntropyOnTargetsThatAreNotProbabilitiesIsRefused(string rows, string problem)
    {
        using var dir = new TempDirectory();
        string data = dir.Write("rows.csv", "x,a,b\n" + rows);

        CliRun run = CliRun.Of("train", "--data", data, "--targets", "2", "--loss", "cross-entropy", "--layers", "none",
            "--epochs", "1", "--no-progress");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"fastnet: error: cross-entropy: {problem}; cross-entropy takes targets that are probabilities "
            + "(each row at least 0 and summing to 1): normalize them, or train with mean squared error\n",
            run.Error.Replace("\r", "", StringComparison.Ordinal).Replace(data, "rows.csv", StringComparison.Ordinal));
    }

    [Fact]
    public void CrossEntropyOnProbabilityTargetsTrains()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("rows.csv", "x,a,b,c\n1,0.7,0.2,0.1\n2,0.1,0.3,0.6\n");

        CliRun run = CliRun.Of("train", "--data", data, "--targets", "3", "--loss", "cross-entropy", "--layers", "none",
            "--epochs", "1", "--no-progress");

        Assert.True(run.ExitCode == 0, run.ToString());
    }

    // the header's names of the target columns go into the model, and predict heads its columns with them
    [Fact]
    public void ACsvHeaderNamesTheTargetsOfTheModelAndOfItsPredictions()
    {
        using var dir = new TempDirectory();
        string rows = string.Concat(Enumerable.Range(0, 20).Select(i => $"{i / 10.0},{i % 3},{i / 5.0},{i % 3 * 2}\n"));
        string data = dir.Write("prices.csv", "x1,x2,price,\"size\"\n" + rows), model = dir.File("m.json");
        CliRun train = CliRun.Of("train", "--data", data, "--targets", "2", "--layers", "4", "--epochs", "1", "--no-progress",
            "--save", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Equal(["price", "size"], ModelJson.Read(model).Metadata.TargetNames);

        CliRun predict = CliRun.Of("predict", "--model", model, "--input", dir.Write("x.csv", "x1,x2\n0.5,1\n1,2\n"),
            "--output", dir.File("p.csv"));

        Assert.True(predict.ExitCode == 0, predict.ToString());
        string[] lines = File.ReadAllLines(dir.File("p.csv"));
        Assert.Equal("price,size", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.All(lines[1..], line => Assert.Equal(2, line.Split(',').Length));
    }

    private static double TestLoss(string output) =>
        double.Parse(TestLossLine().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^test loss ([0-9.E+-]+)$", RegexOptions.Multiline)]
    private static partial Regex TestLossLine();

    [GeneratedRegex(@"test rmse ([0-9.E+-]+)  test mae [0-9.E+-]+  test r2 [0-9.-]+")]
    private static partial Regex Scores();
}
