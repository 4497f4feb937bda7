using FastNet.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>Two runs never share a checkpoint: the second fails at once and names the first.</summary>
public class RunLockCliTests
{
    [Fact]
    public void ASecondRunOnTheSameCheckpointFailsAtOnceNamingTheHolder()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        using var first = CliProcess.Start(dir.Path, "train", "--layers", "16", "--batch", "64", "--epochs", "100000",
            "--no-progress", "--checkpoint", checkpoint);
        Assert.True(first.WaitForLine("epoch "), first.ToString());

        CliRun second = CliRun.Of("train", "--epochs", "1", "--no-progress", "--checkpoint", checkpoint);
        Assert.True(second.ExitCode != 0, second.ToString());
        Assert.Contains($"{checkpoint}: in use by another training run (pid {first.Id},", second.Error, StringComparison.Ordinal);
        Assert.Equal("", second.Output); // failed before loading anything

        first.Signal("TERM");
        Assert.Equal(143, first.Exit());
        Assert.True(CheckpointFile.Read(checkpoint).Position.Epoch >= 1);

        // The lock file stays behind; it must not block the next run.
        Assert.True(File.Exists(RunLock.LockPathFor(checkpoint)));
        CliRun third = CliRun.Of("train", "--epochs", "1", "--no-progress", "--checkpoint", checkpoint);
        Assert.True(third.ExitCode == 0, third.ToString());
    }
}
