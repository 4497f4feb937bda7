using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// A CSV file whose first line is the column numbers pandas writes (0,1,…) reads as data under detection, every field
/// being a number: train, eval and predict warn and say how to read it as a header; <c>--header present</c> (or
/// <c>absent</c>) decides, the model records it, and eval reads its data as trained.
/// </summary>
public sealed class CsvHeaderCliTests
{
    private static string NumberedCsv(TempDirectory dir)
    {
        var text = new System.Text.StringBuilder("0,1,2\n");
        for (int r = 0; r < 40; r++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{r % 2 + r / 100.0},{r % 7 / 10.0},{r % 2}\n");
        }
        return dir.Write("pandas.csv", text.ToString());
    }

    // one epoch on the numbered file with --header present, written by output option to the file named; its path
    private static string TrainWithHeader(TempDirectory dir, string output, string file)
    {
        string path = dir.File(file);
        CliRun train = CliRun.Of("train", "--data", NumberedCsv(dir), "--header", "present", "--layers", "4", "--epochs", "1",
            "--no-progress", output, path);
        Assert.True(train.ExitCode == 0, train.ToString());
        return path;
    }

    [Fact]
    public void DetectionReadsTheNumberedLineAsDataAndWarns()
    {
        using var dir = new TempDirectory();
        string data = NumberedCsv(dir);

        CliRun run = CliRun.Of("train", "--data", data, "--layers", "4", "--epochs", "1", "--no-progress");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"fastnet train: {data}, 41 training", run.Output, StringComparison.Ordinal);
        Assert.Equal($"fastnet: warning: {data}: line 1 is 0,1,2 and is read as data; if it is a header of column numbers "
            + "(as pandas writes one), give --header present\n", run.Error.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void AHeaderGivenIsRecordedAndEvalReadsTheDataAsTrained()
    {
        using var dir = new TempDirectory();
        string data = NumberedCsv(dir), model = dir.File("m.json");
        CliRun train = CliRun.Of("train", "--data", data, "--header", "present", "--test-fraction", "0.25", "--layers", "4",
            "--epochs", "1", "--no-progress", "--save", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.StartsWith($"fastnet train: {data} (train), 30 training, 0 validation and 10 test examples", train.Output, StringComparison.Ordinal);
        Assert.Equal("", train.Error);
        Assert.Equal(FastNet.Data.CsvHeader.Present, ModelJson.Read(model).Metadata.Data!.Header);

        CliRun eval = CliRun.Of("eval", "--model", model);

        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains($"on {data} (test), 10 examples", eval.Output, StringComparison.Ordinal);
        string testLoss = train.Output.Split('\n').Last(l => l.StartsWith("test accuracy ", StringComparison.Ordinal))
            .Split("test loss ")[1];
        Assert.Contains($"\nloss (cross-entropy) {testLoss}\n", eval.Output, StringComparison.Ordinal);
        Assert.Equal("", eval.Error);
    }

    [Fact]
    public void PredictSkipsAHeaderGivenAndWarnsAboutOneLeftToDetection()
    {
        using var dir = new TempDirectory();
        string model = TrainWithHeader(dir, "--save", "m.json");
        string input = dir.Write("x.csv", "0,1\n0.5,0.2\n1.5,0.3\n");

        CliRun detected = CliRun.Of("predict", "--model", model, "--input", input, "--output", dir.File("a.csv"));
        CliRun given = CliRun.Of("predict", "--model", model, "--input", input, "--header", "present", "--output", dir.File("b.csv"));

        Assert.True(detected.ExitCode == 0, detected.ToString());
        Assert.Contains("wrote 3 predictions", detected.Output, StringComparison.Ordinal);
        Assert.Contains($"{input}: line 1 is 0,1 and is read as data", detected.Error, StringComparison.Ordinal);
        Assert.True(given.ExitCode == 0, given.ToString());
        Assert.Contains("wrote 2 predictions", given.Output, StringComparison.Ordinal);
        Assert.Equal("", given.Error);
    }

    public static TheoryData<string[], string> Refused() => new()
    {
        { ["train", "--header", "maybe", "--epochs", "0"], "fastnet: error: --header: expected auto, present or absent, found \"maybe\"\n" },
        { ["train", "--header", "present", "--epochs", "0"], "fastnet: error: --header: only for CSV data, not digits\n" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void AHeaderThatCannotApplyIsRefused(string[] args, string expected)
    {
        CliRun run = CliRun.Of(args);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(expected, run.Error.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void AnotherHeaderOnResumeIsRefused()
    {
        using var dir = new TempDirectory();
        string checkpoint = TrainWithHeader(dir, "--checkpoint", "run.ckpt");

        CliRun resumed = CliRun.Of("train", "--resume", checkpoint, "--header", "auto", "--epochs", "2", "--no-progress");

        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains("--header auto (the checkpoint has header present)", resumed.Error, StringComparison.Ordinal);
    }
}
