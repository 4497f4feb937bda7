using FastNet.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Files;

/// <summary>When the file meant for a run's state cannot be written, the state goes to the next place that takes it.</summary>
public class CheckpointRescueTests
{
    [Fact]
    public void TheStateGoesToTheFirstPlaceThatCanBeWritten()
    {
        using var dir = new TempDirectory();
        Checkpoint state = SmallCheckpoint(dir);

        string kept = CheckpointRescue.WriteFirst(state, ["/proc/self/run.ckpt", dir.File("kept.ckpt")]);

        Assert.Equal(dir.File("kept.ckpt"), kept);
        Assert.Equal(state.Model.Parameters, CheckpointFile.Read(kept).Model.Parameters);
    }

    [Fact]
    public void WhenNoPlaceTakesTheStateTheErrorNamesEveryOne()
    {
        using var dir = new TempDirectory();
        Checkpoint state = SmallCheckpoint(dir);
        dir.Write("file", "");

        var e = Assert.Throws<IOException>(() => CheckpointRescue.WriteFirst(state, ["/proc/self/a.ckpt", dir.File("file/b.ckpt")]));

        Assert.Contains("/proc/self/a.ckpt", e.Message, StringComparison.Ordinal);
        Assert.Contains(dir.File("file/b.ckpt"), e.Message, StringComparison.Ordinal);
    }

    private static Checkpoint SmallCheckpoint(TempDirectory dir)
    {
        var run = Cli.CliRun.Of("train", "--layers", "8", "--epochs", "1", "--no-progress", "--checkpoint", dir.File("source.ckpt"));
        Assert.True(run.ExitCode == 0, run.ToString());
        return CheckpointFile.Read(dir.File("source.ckpt"));
    }
}
