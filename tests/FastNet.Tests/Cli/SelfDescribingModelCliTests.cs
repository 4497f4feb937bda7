using System.Globalization;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>eval</c> and <c>predict</c> use a saved model as it was trained, with no flag repeated: the same
/// preprocessing, data split, loss and classes, so they reproduce <c>train</c>'s numbers bit for bit.</summary>
public class SelfDescribingModelCliTests
{
    private static string WriteData(TempDirectory dir) => ThreeClassCsv.Write(dir, seed: 11, rows: 300);

    private static (string Accuracy, string Loss) FinalTestScore(CliRun train)
    {
        string[] parts = train.Output.Split('\n').Last(l => l.StartsWith("test accuracy ", StringComparison.Ordinal)).Split("  ");
        return (parts[0]["test ".Length..], parts[1]["test loss ".Length..]);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("none")]
    [InlineData("unit")]
    [InlineData("standardize")]
    public void EvalWithoutFlagsReproducesTrainsTestScoreBitForBit(string scale)
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        CliRun train = CliRun.Of("train", "--data", data, "--test-fraction", "0.3", "--validation-fraction", "0.1", "--seed", "5",
            "--scale", scale, "--layers", "12", "--epochs", "3", "--batch", "16", "--lr", "0.01", "--no-progress",
            "--save", dir.File("m.json"), "--checkpoint", dir.File("m.ckpt"));
        Assert.True(train.ExitCode == 0, train.ToString());
        (string accuracy, string loss) = FinalTestScore(train);

        foreach (string model in new[] { dir.File("m.json"), dir.File("m.ckpt") })
        {
            CliRun eval = CliRun.Of("eval", "--model", model);
            Assert.True(eval.ExitCode == 0, eval.ToString());
            Assert.Contains("(test), 90 examples", eval.Output, StringComparison.Ordinal);
            Assert.Contains($"\nloss (cross-entropy) {loss}\n", eval.Output, StringComparison.Ordinal);
            Assert.Contains($"\n{accuracy}\n", eval.Output, StringComparison.Ordinal);
            Assert.Equal("", eval.Error);
        }
    }

    // a divisor or std below the smallest normal float cannot be recorded (its reciprocal overflows): values that small
    // are left as they are, as all-zero ones are, and the saved model reads back
    [Theory]
    [InlineData("unit", "preprocessing none")]
    [InlineData("standardize", "preprocessing standardize (1 features)")]
    public void FeaturesTooSmallToDivideByAreNotDividedByAndTheModelReadsBack(string scale, string preprocessing)
    {
        using var dir = new TempDirectory();
        string data = dir.Write("tiny.csv", "1e-42,0\n0,1\n2e-42,0\n0,1\n1e-42,1\n");

        CliRun train = CliRun.Of("train", "--data", data, "--scale", scale, "--layers", "2", "--epochs", "1", "--no-progress",
            "--save", dir.File("m.json"));

        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains($"{preprocessing}\n", train.Output, StringComparison.Ordinal);
        CliRun eval = CliRun.Of("eval", "--model", dir.File("m.json"));
        Assert.True(eval.ExitCode == 0, eval.ToString());
    }

    [Fact]
    public void TheScoreMatchesTheLibrarysEvaluationOfTheSavedModelExactly()
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        CliRun train = CliRun.Of("train", "--data", data, "--test-fraction", "0.3", "--scale", "standardize", "--layers", "8",
            "--epochs", "2", "--no-progress", "--backend", "reference", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());

        // Independently of the CLI: split as recorded, standardize with the recorded statistics, score.
        FastNet.Model.Model model = ModelJson.Read(dir.File("m.json"));
        TrainingDataSource source = model.Metadata.Data!;
        Dataset test = DataSplitter.Split(CsvLoader.Load(data), source.TestFraction!.Value, source.Seed).Test!;
        model.Metadata.Scaling!.ApplyInPlace(test);
        using IBackend backend = Backends.Create("reference");
        using var device = new DeviceDataset(backend, test);
        (double loss, double accuracy) = Evaluation.OfModel(backend, model, model.Metadata.Loss!.Value, device);

        Assert.Equal(FinalTestScore(train), (string.Create(CultureInfo.InvariantCulture, $"accuracy {accuracy:F4}"),
            loss.ToString("G9", CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void AScaleThatContradictsTheModelIsAnErrorNamingBoth()
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        CliRun train = CliRun.Of("train", "--data", data, "--test-fraction", "0.3", "--scale", "standardize", "--layers", "8",
            "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());

        CliRun wrong = CliRun.Of("eval", "--model", dir.File("m.json"), "--scale", "unit");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("--scale unit", wrong.Error, StringComparison.Ordinal);
        Assert.Contains("m.json was trained with standardize", wrong.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("accuracy", wrong.Output, StringComparison.Ordinal);

        CliRun same = CliRun.Of("eval", "--model", dir.File("m.json"), "--scale", "standardize");
        Assert.True(same.ExitCode == 0, same.ToString());
    }

    [Fact]
    public void PredictAppliesTheModelsStandardizationItself()
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        CliRun train = CliRun.Of("train", "--data", data, "--scale", "standardize", "--layers", "8", "--epochs", "2",
            "--no-progress", "--backend", "reference", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        string raw = dir.Write("x.csv", "500,0.002,1.5\n-100,0.009,-2\n");

        CliRun predict = CliRun.Of("predict", "--model", dir.File("m.json"), "--input", raw, "--output", dir.File("p.csv"),
            "--backend", "reference");
        Assert.True(predict.ExitCode == 0, predict.ToString());

        FastNet.Model.Model model = ModelJson.Read(dir.File("m.json"));
        float[] features = [500f, 0.002f, 1.5f, -100f, 0.009f, -2f];
        model.Metadata.Scaling!.ApplyInPlace(features, 3, "x");
        using IBackend backend = Backends.Create("reference");
        float[] expected = Inference.Softmax(Inference.Outputs(backend, model, features), 3);
        string[] lines = File.ReadAllLines(dir.File("p.csv"));
        Assert.Equal("class,p0,p1,p2", lines[0]);
        for (int r = 0; r < 2; r++)
        {
            float[] written = [.. lines[r + 1].Split(',').Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
            Assert.Equal(expected.AsSpan(r * 3, 3).ToArray(), written);
        }

        CliRun divide = CliRun.Of("predict", "--model", dir.File("m.json"), "--input", raw, "--divide", "255",
            "--output", dir.File("q.csv"));
        Assert.Equal(1, divide.ExitCode);
        Assert.Contains("--divide 255 contradicts", divide.Error, StringComparison.Ordinal);
        Assert.Contains("standardize", divide.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("q.csv")));
    }

    [Fact]
    public void AVersionOneModelStillEvaluatesWithTheScaleGivenAndSaysSo()
    {
        using var dir = new TempDirectory();
        CliRun train = CliRun.Of("train", "--layers", "8", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        FastNet.Model.Model model = ModelJson.Read(dir.File("m.json"));
        // The same layers without any metadata, as FastNet wrote model files before version 2.
        string v1 = ModelJson.ToJson(new FastNet.Model.Model(model.Spec, model.Parameters))
            .Replace("\"version\": 2", "\"version\": 1", StringComparison.Ordinal);
        dir.Write("v1.json", v1);

        CliRun eval = CliRun.Of("eval", "--model", dir.File("v1.json"));
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("does not record its input preprocessing", eval.Error, StringComparison.Ordinal);
        Assert.Contains(FinalTestScore(train).Accuracy, eval.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void EvalOnATestSetThatLacksAClassUsesTheModelsClasses()
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        CliRun train = CliRun.Of("train", "--data", data, "--layers", "8", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        // Only classes 0 and 1: the largest label alone would make two classes.
        string partial = dir.Write("partial.csv", "a,b,c,label\n10,0.001,0,0\n20,0.009,0,1\n30,0.002,-1,0\n");

        CliRun eval = CliRun.Of("eval", "--model", dir.File("m.json"), "--data", partial);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("partial.csv, 3 examples", eval.Output, StringComparison.Ordinal);
        Assert.Contains("true\\pred    0    1    2", eval.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AStrayLabelIsWarnedAboutAndClassesFixesTheClassCount()
    {
        using var dir = new TempDirectory();
        string stray = dir.Write("stray.csv", "1,2,0\n2,1,1\n3,3,0\n1,1,1\n2,2,9\n");

        CliRun warned = CliRun.Of("train", "--data", stray, "--layers", "none", "--epochs", "1", "--no-progress");
        Assert.True(warned.ExitCode == 0, warned.ToString());
        Assert.Contains("stray.csv", warned.Error, StringComparison.Ordinal);
        Assert.Contains("warning: ", warned.Error, StringComparison.Ordinal);
        Assert.Contains("7 of 10 classes have no training example (2, 3, 4, 5, 6, 7, 8)", warned.Error, StringComparison.Ordinal);

        CliRun refused = CliRun.Of("train", "--data", stray, "--classes", "2", "--epochs", "1", "--no-progress");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("line 5", refused.Error, StringComparison.Ordinal);

        CliRun clean = CliRun.Of("train", "--data", dir.Write("ok.csv", "1,2,0\n2,1,1\n"), "--classes", "2", "--layers", "none",
            "--epochs", "1", "--no-progress");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal("", clean.Error);
    }

    [Fact]
    public void NumpyFeaturesAndLabelsTrainAndEvalWithoutRepeatingThem()
    {
        using var dir = new TempDirectory();
        var random = new Random(3);
        float[] x = [.. Enumerable.Range(0, 200 * 4).Select(_ => (float)(random.NextDouble() * 10))];
        long[] y = [.. Enumerable.Range(0, 200).Select(r => x[r * 4] + x[r * 4 + 1] > 10 ? 1L : 0L)];
        string features = dir.Write("x.npy", NpyFiles.Npy("<f4", [200, 4], NpyFiles.Float32(x)));
        string labels = dir.Write("y.npy", NpyFiles.Npy("<i8", [200], NpyFiles.Int64(y)));

        CliRun train = CliRun.Of("train", "--data", features, "--labels", labels, "--test-fraction", "0.25", "--scale", "standardize",
            "--layers", "8", "--epochs", "5", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("150 training, 0 validation and 50 test examples", train.Output, StringComparison.Ordinal);
        (string accuracy, string loss) = FinalTestScore(train);

        CliRun eval = CliRun.Of("eval", "--model", dir.File("m.json"));
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains($"\nloss (cross-entropy) {loss}\n", eval.Output, StringComparison.Ordinal);
        Assert.Contains($"\n{accuracy}\n", eval.Output, StringComparison.Ordinal);

        string npz = dir.Write("d.npz", NpyFiles.Npz(true, ("x", File.ReadAllBytes(features)), ("y", File.ReadAllBytes(labels))));
        CliRun fromArchive = CliRun.Of("train", "--data", npz, "--test-fraction", "0.25", "--scale", "standardize",
            "--layers", "8", "--epochs", "5", "--no-progress");
        Assert.True(fromArchive.ExitCode == 0, fromArchive.ToString());
        Assert.Equal((accuracy, loss), FinalTestScore(fromArchive));
    }
}
