using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// <c>eval --model m.json</c> and <c>train --resume m.ckpt</c> without <c>--data</c> read the data the model or
/// checkpoint records. When that file has moved since training, or was never on this machine, the error names it as
/// before and says where its name came from (the user typed no such path) and what to give instead.
/// </summary>
public sealed class RecordedDataCliTests
{
    private const string EvalHint = "give --data to evaluate on other data";
    private const string ResumeHint = "give --data where that data is now";

    public static TheoryData<string, bool, string, string, string> ChangedData() => new()
    {
        { "eval, the data file removed", false, "", ": file not found", EvalHint },
        { "eval, the data file rewritten", false, "x", " line 2, column 1: expected a number, found \"x\"", EvalHint },
        { "resume, the data file removed", true, "", ": file not found", ResumeHint },
    };

    [Theory]
    [MemberData(nameof(ChangedData))]
    public void AnUnreadableRecordedDataFileIsNamedWithTheFileThatRecordsIt(string what, bool resume, string firstValue,
        string problem, string hint)
    {
        using var dir = new TempDirectory();
        string data = ThreeClassCsv.Write(dir, seed: 3, rows: 60);
        string model = dir.File(resume ? "m.ckpt" : "m.json");
        CliRun train = CliRun.Of("train", "--data", data, "--layers", "4", "--epochs", "1", "--no-progress",
            resume ? "--checkpoint" : "--save", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        if (firstValue.Length == 0)
        {
            File.Delete(data);
        }
        else
        {
            // the second line's first value replaced
            string[] lines = File.ReadAllLines(data);
            lines[1] = firstValue + lines[1][lines[1].IndexOf(',', StringComparison.Ordinal)..];
            File.WriteAllLines(data, lines);
        }

        CliRun run = resume ? CliRun.Of("train", "--resume", model, "--epochs", "2") : CliRun.Of("eval", "--model", model);

        Assert.True(run.ExitCode == 1, $"{what}: {run}");
        Assert.Equal($"fastnet: error: {data}{problem} (the training data {model} records; {hint})\n",
            run.Error.Replace("\r", "", StringComparison.Ordinal));
    }

    // A saved model and a checkpoint record the training set's SHA-256: the recorded name that now gives other data
    // (the file changed, or a relative name found from another directory) is refused instead of scored as the
    // model's own test set; named with --data, the file is evaluated as asked.
    [Theory]
    [InlineData("m.json", "--save")]
    [InlineData("m.ckpt", "--checkpoint")]
    public void RecordedDataThatNowGivesAnotherTrainingSetIsRefused(string file, string option)
    {
        using var dir = new TempDirectory();
        string data = ThreeClassCsv.Write(dir, seed: 3, rows: 60);
        string model = dir.File(file);
        CliRun train = CliRun.Of("train", "--data", data, "--test-fraction", "0.25", "--layers", "4", "--epochs", "1",
            "--no-progress", option, model);
        Assert.True(train.ExitCode == 0, train.ToString());
        CliRun same = CliRun.Of("eval", "--model", model);
        Assert.True(same.ExitCode == 0, same.ToString());
        File.AppendAllText(data, File.ReadAllLines(data)[^1] + "\n"); // one more row: another split, another training set

        CliRun changed = CliRun.Of("eval", "--model", model);

        Assert.Equal(1, changed.ExitCode);
        Assert.StartsWith($"fastnet: error: {data}: gives another training set than {model} was trained on (SHA-256 ",
            changed.Error, StringComparison.Ordinal);
        Assert.EndsWith("the data changed since training, or the name now finds another file; give --data to evaluate on it anyway\n",
            changed.Error.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("", changed.Output);
        CliRun named = CliRun.Of("eval", "--model", model, "--data", data);
        Assert.True(named.ExitCode == 0, named.ToString());
    }
}
