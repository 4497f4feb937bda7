using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// <c>eval --model m.json</c> without <c>--data</c> reads the data the model records. When that file has moved since
/// training, or was never on this machine, the error names it as before and says where its name came from (the user
/// typed no such path) and how to evaluate on other data.
/// </summary>
public sealed class RecordedDataCliTests
{
    public static TheoryData<string, string, string> ChangedData() => new()
    {
        { "the data file removed", "", ": file not found" },
        { "the data file rewritten", "x", " line 2, column 1: expected a number, found \"x\"" },
    };

    [Theory]
    [MemberData(nameof(ChangedData))]
    public void AnUnreadableRecordedDataFileIsNamedWithTheModelThatRecordsIt(string what, string content, string problem)
    {
        using var dir = new TempDirectory();
        string data = ThreeClassCsv.Write(dir, seed: 3, rows: 60);
        string model = dir.File("m.json");
        CliRun train = CliRun.Of("train", "--data", data, "--layers", "4", "--epochs", "1", "--no-progress", "--save", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        if (content.Length == 0)
        {
            File.Delete(data);
        }
        else
        {
            // the second line's first value replaced
            string[] lines = File.ReadAllLines(data);
            lines[1] = content + lines[1][lines[1].IndexOf(',', StringComparison.Ordinal)..];
            File.WriteAllLines(data, lines);
        }

        CliRun eval = CliRun.Of("eval", "--model", model);

        Assert.True(eval.ExitCode == 1, $"{what}: {eval}");
        Assert.Equal($"fastnet: error: {data}{problem} (the training data {model} records; give --data to evaluate on other "
            + "data)\n", eval.Error.Replace("\r", "", StringComparison.Ordinal));
    }
}
