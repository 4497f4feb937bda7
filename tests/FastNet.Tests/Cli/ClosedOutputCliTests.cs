using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>A closed standard output (<c>&gt;&amp;-</c>) is refused before any work with one line naming it; it gave
/// the runtime's bare "Access to the path is denied", after the work (or help's stack trace).</summary>
public class ClosedOutputCliTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("predict --model m.json --input x.csv --divide 16 --output p.csv")]
    public void AClosedStandardOutputIsNamedAndNothingIsWritten(string command)
    {
        using var dir = new TempDirectory();
        CliRun train = CliRun.Of("train", "--layers", "8", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        dir.Write("x.csv", string.Join(',', Enumerable.Repeat("3", 64)) + "\n");

        (int exit, string output) = FastNetScript.Run(dir.Path, $"fastnet {command} >&- || echo \"exit $?\"");

        Assert.True(exit == 0, output);
        // the script's standard output, then fastnet's standard error: one line, no stack trace
        Assert.Equal("exit 1\nfastnet: error: standard output is closed; fastnet prints its results there: expected it "
            + "open for writing (redirect it to a file or /dev/null instead of closing it)\n", output);
        Assert.False(File.Exists(dir.File("p.csv")), "predict wrote its file before failing");
    }
}
