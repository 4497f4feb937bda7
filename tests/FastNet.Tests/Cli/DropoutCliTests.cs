using FastNet.Checkpoints;
using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>--dropout</c>: printed in the header, recorded in the model file and the checkpoint, held to on
/// resume; 0 is the run without dropout; <c>verify</c> compares the op.</summary>
public class DropoutCliTests
{
    private static CliRun Train(TempDirectory dir, string name, params string[] extra) =>
        CliRun.Of([.. new[] { "train", "--layers", "8,4", "--batch", "16", "--epochs", "1", "--no-progress",
            "--save", dir.File($"{name}.json"), "--checkpoint", dir.File($"{name}.ckpt") }, .. extra]);

    [Fact]
    public void TheRatesArePrintedRecordedAndHeldToOnResume()
    {
        using var dir = new TempDirectory();
        CliRun run = Train(dir, "run", "--dropout", "0.3,0.1");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("seed 1, dropout 0.3,0.1", run.Output, StringComparison.Ordinal);
        Assert.Equal([0.3, 0.1], ModelJson.Read(dir.File("run.json")).Metadata.Dropout!);
        Assert.Equal([0.3, 0.1], CheckpointFile.Read(dir.File("run.ckpt")).Training.Dropout!);

        CliRun refused = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--epochs", "2", "--no-progress",
            "--dropout", "0.3");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--dropout 0.3 (the checkpoint has dropout 0.3,0.1)", refused.Error, StringComparison.Ordinal);
        CliRun resumed = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--epochs", "2", "--no-progress",
            "--dropout", "0.3,0.1");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("dropout 0.3,0.1", resumed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void RateZeroTrainsTheSameModelAsNoDropout()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, Train(dir, "plain").ExitCode);
        CliRun zero = Train(dir, "zero", "--dropout", "0");
        Assert.True(zero.ExitCode == 0, zero.ToString());
        Assert.DoesNotContain("dropout", zero.Output, StringComparison.Ordinal);
        Assert.Equal(ModelJson.Read(dir.File("plain.json")).Parameters, ModelJson.Read(dir.File("zero.json")).Parameters);
        Assert.Null(ModelJson.Read(dir.File("zero.json")).Metadata.Dropout);
    }

    [Theory]
    [InlineData("1", "is not a drop rate")]
    [InlineData("-0.1", "is not a drop rate")]
    [InlineData("0.1,0.2,0.3", "3 rates for 2 hidden layers")]
    public void ABadRateIsRefused(string rates, string message)
    {
        using var dir = new TempDirectory();
        CliRun run = Train(dir, "bad", "--dropout", rates);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyComparesTheDropoutOp()
    {
        CliRun run = CliRun.Of("verify", "--layers", "16,8", "--batch", "8", "--steps", "2", "--dropout", "0.5,0.2");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("dropout 0.5,0.2", run.Output, StringComparison.Ordinal);
        Assert.Contains("layer 2    dropout dA", run.Output, StringComparison.Ordinal);
        Assert.Contains("verify: PASS", run.Output, StringComparison.Ordinal);
    }
}
