using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>-</c> as an output: <c>predict --output -</c> writes its CSV to standard output; the options that write
/// binary or rewritten files refuse it by name. Each made a file called <c>-</c>.</summary>
public class DashOutputCliTests
{
    [Fact]
    public void PredictToDashWritesTheCsvToStandardOutputAndNoFile()
    {
        using var dir = new TempDirectory();
        CliRun train = CliRun.Of("train", "--layers", "8", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        dir.Write("x.csv", string.Join(',', Enumerable.Repeat("3", 64)) + "\n" + string.Join(',', Enumerable.Repeat("9", 64)) + "\n");

        (int exit, string output) = FastNetScript.Run(dir.Path,
            "fastnet predict --model m.json --input x.csv --divide 16 --output - > stdout.csv");

        Assert.True(exit == 0, output);
        Assert.False(File.Exists(dir.File("-")), "a file called - was written");
        string[] lines = File.ReadAllLines(dir.File("stdout.csv"));
        Assert.Equal("class,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", lines[0]);
        Assert.Equal(3, lines.Length); // the CSV alone: no "wrote ..." line in it
    }

    [Theory]
    [InlineData("train --epochs 1 --no-progress --save -", "--save")]
    [InlineData("train --epochs 1 --no-progress --checkpoint -", "--checkpoint")]
    [InlineData("train --epochs 1 --no-progress --metrics -", "--metrics")]
    [InlineData("train --epochs 1 --no-progress --plot -", "--plot")]
    [InlineData("export --model m.json --onnx -", "--onnx")]
    public void AFileOnlyOutputRefusesDashByName(string command, string option)
    {
        using var dir = new TempDirectory();
        CliRun train = CliRun.Of("train", "--layers", "8", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());

        (int exit, string output) = FastNetScript.Run(dir.Path, $"fastnet {command} || echo \"exit $?\"");

        Assert.False(File.Exists(dir.File("-")), "a file called - was written");
        Assert.True(exit == 0, output);
        Assert.Contains("exit 1", output, StringComparison.Ordinal);
        Assert.Contains($"fastnet: error: {option} -: expected a file name; {option} writes a file, not standard output",
            output, StringComparison.Ordinal);
    }
}
