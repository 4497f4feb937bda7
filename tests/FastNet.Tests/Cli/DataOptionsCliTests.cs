using FastNet.Data;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// The data a command reads is the data named, read as the options say, or an error: an option the data (or the
/// optimizer) has no use for is refused rather than recorded as if it had been applied, a file name is compared as the file
/// system compares it, and a class count too large for memory is an error naming it, not a crash.
/// </summary>
public sealed class DataOptionsCliTests
{
    // two rows of two float features as x.npy, and y.npy holding the labels or targets given
    private static (string X, string Y) TwoRows(TempDirectory dir, byte[] labels)
    {
        string x = dir.File("x.npy"), y = dir.File("y.npy");
        File.WriteAllBytes(x, NpyFiles.Npy("<f4", [2, 2], NpyFiles.Float32(1, 2, 3, 4)));
        File.WriteAllBytes(y, labels);
        return (x, y);
    }

    // On Linux STD.csv and std.csv are two files: eval must read the one named, not the model's recorded one.
    [Fact]
    public void EvalReadsAFileWhoseNameDiffersFromTheRecordedOneOnlyInCase()
    {
        using var dir = new TempDirectory();
        string data = ThreeClassCsv.Write(dir, seed: 3, rows: 60, name: "std.csv");
        CliRun train = CliRun.Of("train", "--data", data, "--test-fraction", "0.25", "--layers", "4", "--epochs", "1",
            "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        string other = ThreeClassCsv.Write(dir, seed: 4, rows: 80, name: "STD.csv");
        if (File.Exists(Path.Combine(dir.Path, "std.csv")) && File.ReadAllText(data) == File.ReadAllText(other))
        {
            return; // a file system that ignores case holds one file: nothing to tell apart
        }

        CliRun eval = CliRun.Of("eval", "--model", dir.File("m.json"), "--data", other);

        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains($"on {other}, 80 examples", eval.Output, StringComparison.Ordinal);
    }

    // A name starting with '@' is a file name like any other, not a response file whose lines replace it (a child process,
    // to give the name relative to a folder of the test's own).
    [Fact]
    public void AFileWhoseNameStartsWithAnAtSignIsReadAsData()
    {
        using var dir = new TempDirectory();
        ThreeClassCsv.Write(dir, seed: 3, rows: 40, name: "@x.csv");

        using var run = CliProcess.Start(dir.Path, "train", "--data", "@x.csv", "--layers", "4", "--epochs", "1", "--no-progress");

        Assert.True(run.WaitForLine("fastnet train: @x.csv, 40 training"), run.ToString());
        Assert.True(run.Exit() == 0, run.ToString());
    }

    // eval's --targets defaults to the model's: other data of a regression model is read with its target columns
    [Fact]
    public void EvalOfARegressionModelOnOtherDataReadsItsTargetColumns()
    {
        using var dir = new TempDirectory();
        string rows = string.Concat(Enumerable.Range(0, 20).Select(i => $"{i / 10.0},{i / 5.0}\n"));
        string data = dir.Write("reg.csv", rows), copy = dir.Write("reg2.csv", rows);
        CliRun train = CliRun.Of("train", "--data", data, "--targets", "1", "--layers", "4", "--epochs", "1",
            "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());

        CliRun eval = CliRun.Of("eval", "--model", dir.File("m.json"), "--data", copy);

        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains($"on {copy}, 20 examples", eval.Output, StringComparison.Ordinal);
        Assert.Contains("rmse", eval.Output, StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string, string[], string> OptionsWithoutAUse() => new()
    {
        { "target columns of the embedded digits", ["--targets", "1"], "fastnet: error: --targets: only for CSV data (its last columns as real-valued targets), not digits\n" },
        { "a test fraction that is not a number", ["--test-fraction", "NaN"], "fastnet: error: --test-fraction: expected a value in [0, 1), got NaN\n" },
        { "a validation fraction that is not a number", ["--validation-fraction", "NaN"], "fastnet: error: --validation-fraction: expected a value in [0, 1), got NaN\n" },
        { "a negative number of target columns", ["--targets", "-1"], "fastnet: error: --targets: expected a number of target columns of at least 0, got -1\n" },
        { "beta1 for plain SGD", ["--optimizer", "sgd", "--beta1", "0.5"], "fastnet: error: --beta1: applies to adam, nadam and lamb, not to sgd\n" },
        { "beta2 for adagrad", ["--optimizer", "adagrad", "--beta2", "0.9"], "fastnet: error: --beta2: applies to adam, nadam, lamb and rmsprop (its α), not to adagrad\n" },
        { "eps for lars", ["--optimizer", "lars", "--eps", "1e-6"], "fastnet: error: --eps: applies to adagrad, rmsprop, adam, nadam and lamb, not to lars\n" },
    };

    [Theory]
    [MemberData(nameof(OptionsWithoutAUse))]
    public void AnOptionWithoutAUseIsRefusedByName(string what, string[] options, string expected)
    {
        CliRun run = CliRun.Of(["train", "--epochs", "0", "--no-progress", .. options]);

        Assert.True(run.ExitCode == 1, $"{what}: {run}");
        Assert.Equal(expected, run.Error.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void TargetColumnsOfNumpyDataAreRefused()
    {
        using var dir = new TempDirectory();
        (string x, string y) = TwoRows(dir, NpyFiles.Npy("<i8", [2], NpyFiles.Int64(0, 1)));

        CliRun run = CliRun.Of("train", "--data", x, "--labels", y, "--targets", "1", "--epochs", "0", "--no-progress");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"--targets: only for CSV data (its last columns as real-valued targets), not {x}", run.Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public void NumpyTargetsOfNoColumnsAreNamed()
    {
        using var dir = new TempDirectory();
        (string x, string y) = TwoRows(dir, NpyFiles.Npy("<f4", [2, 0], []));

        CliRun run = CliRun.Of("train", "--data", x, "--labels", y, "--epochs", "0", "--no-progress");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal($"fastnet: error: {y}: shape (2, 0): expected at least one target column\n",
            run.Error.Replace("\r", "", StringComparison.Ordinal));
    }

    // a class count past what one array holds is refused before anything is allocated
    [Fact]
    public void NumpyLabelsOfMoreClassesThanOneArrayHoldsAreAnError()
    {
        using var dir = new TempDirectory();
        (string x, string y) = TwoRows(dir, NpyFiles.Npy("<i8", [2], NpyFiles.Int64(0, 1)));

        CliRun run = CliRun.Of("train", "--data", x, "--labels", y, "--classes", "2000000000", "--epochs", "0", "--no-progress");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("fastnet: error: 2 examples of 2000000000 classes would make 4000000000 one-hot targets, more than "
            + $"one array holds ({Array.MaxLength}); give fewer classes\n", run.Error.Replace("\r", "", StringComparison.Ordinal));
    }

    // the limit of 10,000 is on class counts inferred from the largest label; a count given is taken as given
    [Fact]
    public void ACsvClassCountGivenAboveTheInferredLimitIsTaken()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("wide.csv", "1,0\n2,19999\n");

        Dataset set = CsvLoader.Load(data, new CsvOptions { ClassCount = 20_000 });

        Assert.Equal(20_000, set.ClassCount);
        Assert.Equal(1f, set.Targets[20_000 + 19_999]);
    }

    // --classes applies to the embedded digits as to MNIST: it was ignored, and the network kept 10 outputs
    [Fact]
    public void DigitsTakeTheClassCountGiven()
    {
        CliRun run = CliRun.Of("train", "--classes", "12", "--layers", "4", "--epochs", "0", "--no-progress");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("network 64-4-12 ", run.Output, StringComparison.Ordinal);
        Assert.Contains("2 of 12 classes have no training example (10, 11)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DigitsRefuseAClassCountBelowTheirLabels()
    {
        CliRun run = CliRun.Of("train", "--classes", "5", "--layers", "4", "--epochs", "0", "--no-progress");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("digits line 6, column 65: class label 5 is out of range: expected 0..4 (5 classes)", run.Error,
            StringComparison.Ordinal);
    }
}
