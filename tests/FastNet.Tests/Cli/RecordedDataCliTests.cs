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
}
