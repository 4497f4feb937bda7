using System.Globalization;
using System.Text.Json;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

public class EvalPredictBenchCliTests
{
    [Fact]
    public void EvalReportsTheSameAccuracyAsTrainingAndAConfusionMatrixThatAddsUp()
    {
        using var dir = new TempDirectory();
        CliRun train = CliRun.Of("train", "--layers", "16", "--epochs", "3", "--no-progress", "--save", dir.File("m.json"),
            "--checkpoint", dir.File("m.ckpt"));
        Assert.True(train.ExitCode == 0, train.ToString());
        string[] final = train.Output.Split('\n').Last(l => l.StartsWith("test accuracy", StringComparison.Ordinal)).Split("  ");
        string trainAccuracy = final[0]["test ".Length..], trainLoss = final[1]["test loss ".Length..];

        foreach (string model in new[] { dir.File("m.json"), dir.File("m.ckpt") })
        {
            CliRun eval = CliRun.Of("eval", "--model", model);
            Assert.True(eval.ExitCode == 0, eval.ToString());
            Assert.Contains(trainAccuracy, eval.Output, StringComparison.Ordinal);
            Assert.Contains($"loss (cross-entropy) {trainLoss}\n", eval.Output, StringComparison.Ordinal);
            string[] rows = [.. eval.Output.Split('\n').SkipWhile(l => !l.StartsWith("true", StringComparison.Ordinal)).Skip(1)
                .TakeWhile(l => !l.StartsWith("class", StringComparison.Ordinal))];
            Assert.Equal(10, rows.Length);
            long total = rows.Sum(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Sum(v => long.Parse(v, CultureInfo.InvariantCulture)));
            Assert.Equal(359, total);
            Assert.Contains("macro average", eval.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PredictWritesOneRowPerInputWithProbabilitiesThatSumToOne()
    {
        using var dir = new TempDirectory();
        CliRun train = CliRun.Of("train", "--layers", "8", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        string input = dir.Write("x.csv", string.Join('\n', Enumerable.Range(0, 5).Select(r =>
            string.Join(',', Enumerable.Range(0, 64).Select(c => ((r * 7 + c) % 17).ToString(CultureInfo.InvariantCulture))))));

        CliRun run = CliRun.Of("predict", "--model", dir.File("m.json"), "--input", input, "--divide", "16", "--output", dir.File("p.csv"));
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = File.ReadAllLines(dir.File("p.csv"));
        Assert.Equal("class,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", lines[0]);
        Assert.Equal(6, lines.Length);
        foreach (string line in lines.Skip(1))
        {
            double[] values = [.. line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
            Assert.Equal(1.0, values.Skip(1).Sum(), 5);
            Assert.Equal(Array.IndexOf(values, values.Skip(1).Max()) - 1, (int)values[0]);
        }
    }

    // a subnormal divisor's reciprocal overflows: the predictions came out as Infinity and NaN
    [Theory]
    [InlineData("{ \"kind\": \"divide\", \"divisor\": 1e-40 }", "preprocessing.divisor")]
    [InlineData("{ \"kind\": \"standardize\", \"mean\": [0, 0, 0], \"std\": [1, 1e-39, 1] }", "preprocessing.std[1]")]
    public void PredictRefusesAModelWhosePreprocessingDividesByAFloatTooSmall(string preprocessing, string field)
    {
        using var dir = new TempDirectory();
        string model = dir.Write("m.json", $$"""
            { "format": "fastnet-model", "version": 2, "inputs": 3, "preprocessing": {{preprocessing}},
              "layers": [ { "units": 2, "activation": "identity", "weights": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]] } ] }
            """);
        string input = dir.Write("x.csv", "1,2,3\n4,5,6\n");

        CliRun run = CliRun.Of("predict", "--model", model, "--input", input, "--output", dir.File("p.csv"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"m.json, field {field}: expected a positive number, a finite number of at least 1.1754944E-38 "
            + "(a normal float, whose reciprocal is finite)", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("p.csv")));
    }

    [Fact]
    public void PredictRefusesADivideTooSmallToDivideBy()
    {
        using var dir = new TempDirectory();
        string model = ThreeInputModel(dir);
        string input = dir.Write("x.csv", "1,2,3\n");

        CliRun run = CliRun.Of("predict", "--model", model, "--input", input, "--divide", "1e-40", "--output", dir.File("p.csv"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("fastnet: error: --divide: expected a positive number, a finite number of at least 1.1754944E-38 "
            + "(a normal float, whose reciprocal is finite), got 1E-40\n", run.Error.Replace("\r", "", StringComparison.Ordinal));
        Assert.False(File.Exists(dir.File("p.csv")));
    }

    // a normal divisor can still be far too small for the features: 3e30 / 1e-10 is beyond float's range, and the
    // prediction was Infinity or NaN
    [Fact]
    public void PredictRefusesAFeatureTheModelsDivisorTakesBeyondFloatsRange()
    {
        using var dir = new TempDirectory();
        string model = dir.Write("m.json", """
            { "format": "fastnet-model", "version": 2, "inputs": 3, "preprocessing": { "kind": "divide", "divisor": 1e-10 },
              "layers": [ { "units": 2, "activation": "identity", "weights": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]] } ] }
            """);
        string input = dir.Write("x.csv", "1,2,3\n4,3e30,6\n");

        CliRun run = CliRun.Of("predict", "--model", model, "--input", input, "--output", dir.File("p.csv"));

        Assert.Equal((1, $"fastnet: error: {input}: example 2, feature 2: 3E+30 is beyond float's range after divide by "
            + "1E-10, whose divisor or deviation is too small for these features\n"),
            (run.ExitCode, run.Error.Replace("\r", "", StringComparison.Ordinal)));
        Assert.False(File.Exists(dir.File("p.csv")));
    }

    // The CSV loader's limit, not the IDX one (16 bytes more), bounds a CSV input: a sparse file of 1 GiB + 8 bytes,
    // between the two, is refused by its size before anything is read
    [Fact]
    public void PredictRefusesACsvInputPastTheCsvLimitQuotingIt()
    {
        using var dir = new TempDirectory();
        string model = ThreeInputModel(dir);
        string input = dir.Write("x.csv", "1,2,3\n");
        const long size = (1L << 30) + 8;
        using (var file = new FileStream(input, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(size);
        }

        CliRun run = CliRun.Of("predict", "--model", model, "--input", input, "--output", dir.File("p.csv"));

        Assert.Equal((1, $"fastnet: error: {input}: the file is {size} bytes, more than the limit of {1L << 30}\n"),
            (run.ExitCode, run.Error.Replace("\r", "", StringComparison.Ordinal)));
        Assert.False(File.Exists(dir.File("p.csv")));
    }

    [Fact]
    public void PredictRejectsInputOfTheWrongWidthWithoutWriting()
    {
        using var dir = new TempDirectory();
        CliRun.Of("train", "--layers", "8", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        string input = dir.Write("x.csv", "1,2,3\n4,5,6\n");
        CliRun run = CliRun.Of("predict", "--model", dir.File("m.json"), "--input", input, "--output", dir.File("p.csv"));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("x.csv", run.Error, StringComparison.Ordinal);
        Assert.Contains("64 inputs", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("p.csv")));
    }

    [Fact]
    public void BenchPrintsAResultPerWorkloadAndBackendAsJson()
    {
        CliRun run = CliRun.Of("bench", "--layers", "20,16,4", "--batch", "8", "--repeats", "2", "--seconds", "0.05", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.True(doc.RootElement.GetProperty("peak_gflops").GetDouble() > 0);
        Assert.True(doc.RootElement.GetProperty("peak_all_threads_at_once_gflops").GetDouble() > 0);
        JsonElement result = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal("custom", result.GetProperty("workload").GetString());
        Assert.Equal(2, result.GetProperty("repeats").GetArrayLength());
        Assert.True(result.GetProperty("samples_per_second").GetDouble() > 0);
        Assert.True(result.GetProperty("gflops").GetDouble() > 0);
    }

    [Fact]
    public void BenchJsonItemisesTheMemoryOfTheWorkload()
    {
        CliRun run = CliRun.Of("bench", "--layers", "20,16,4", "--batch", "8", "--backend", "reference", "--repeats", "1",
            "--seconds", "0.02", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement memory = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray()).GetProperty("memory");
        // 20-16-4 has 404 parameters; SGD keeps no state; batch 8; 256 synthetic examples with their row order
        Assert.Equal(4 * 404, memory.GetProperty("parameters_bytes").GetInt64());
        Assert.Equal(4 * 404, memory.GetProperty("gradients_bytes").GetInt64());
        Assert.Equal(0, memory.GetProperty("optimizer_state_bytes").GetInt64());
        Assert.Equal(4 * 2 * 8 * 20, memory.GetProperty("activations_and_deltas_bytes").GetInt64());
        Assert.Equal(4 * 8 * 24, memory.GetProperty("batch_bytes").GetInt64());
        Assert.Equal(4 * 256 * 25, memory.GetProperty("dataset_bytes").GetInt64());
        Assert.Equal(0, memory.GetProperty("scratch_bytes").GetInt64());
        Assert.Equal(30880, memory.GetProperty("computed_bytes").GetInt64());
        long baseline = memory.GetProperty("baseline_bytes").GetInt64();
        Assert.True(baseline > 0);
        if (memory.GetProperty("peak_bytes").ValueKind == JsonValueKind.Null)
        {
            Assert.False(string.IsNullOrEmpty(memory.GetProperty("peak_unavailable").GetString()));
            Assert.Equal(JsonValueKind.Null, memory.GetProperty("difference_bytes").ValueKind);
        }
        else
        {
            Assert.False(memory.TryGetProperty("peak_unavailable", out _));
            Assert.Equal(memory.GetProperty("peak_bytes").GetInt64() - baseline - 30880,
                memory.GetProperty("difference_bytes").GetInt64());
        }
    }

    [Fact]
    public void BenchTableNamesEveryNamedWorkloadAsked()
    {
        CliRun run = CliRun.Of("bench", "--workload", "per-example", "--backend", "reference", "--repeats", "1", "--seconds", "0.05");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("% peak", run.Output, StringComparison.Ordinal);
        // 784-128-10: 101,770 parameters, 0.4 MiB
        Assert.Matches(@"(?m)^per-example +reference +0\.4 +0\.4 +0\.0 ", run.Output);
        Assert.Contains("per-example: 784-128-10 sigmoid half-squared-error sgd batch 1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchGemmTimesTheSquareProductOnEachBackend()
    {
        CliRun run = CliRun.Of("bench", "--gemm", "48", "--backend", "simd,reference", "--repeats", "2", "--seconds",
            "0.02", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement[] results = [.. doc.RootElement.GetProperty("sgemm").EnumerateArray()];
        Assert.Equal(["simd", "reference"], results.Select(r => r.GetProperty("backend").GetString()));
        Assert.All(results, r =>
        {
            Assert.Equal(48, r.GetProperty("size").GetInt32());
            Assert.Equal(2, r.GetProperty("repeats").GetArrayLength());
            Assert.True(r.GetProperty("gflops").GetDouble() > 0);
            Assert.True(r.GetProperty("percent_of_peak").GetDouble() > 0);
        });

        CliRun table = CliRun.Of("bench", "--gemm", "48", "--backend", "reference", "--repeats", "1", "--seconds", "0.02");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"(?m)^48³ +reference +[0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+ +[0-9.?]+ +[0-9.?-]+$", table.Output);

        CliRun refused = CliRun.Of("bench", "--gemm", "0");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--gemm", refused.Error, StringComparison.Ordinal);
    }

    // a model file of 3 inputs and 2 identity outputs, no preprocessing recorded
    private static string ThreeInputModel(TempDirectory dir) => dir.Write("m.json", """
        { "format": "fastnet-model", "version": 1, "inputs": 3,
          "layers": [ { "units": 2, "activation": "identity", "weights": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]] } ] }
        """);
}
