using FastNet.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>Signals end a run at a batch boundary with a complete checkpoint: SIGTERM as schedulers and
/// <c>docker stop</c> send it, and Ctrl-C pressed twice.</summary>
public class SignalCliTests
{
    // Short epochs, so the run is certainly inside the epoch loop (signals registered) once an epoch line shows.
    private static readonly string[] LongRun = ["train", "--layers", "16", "--batch", "64", "--epochs", "100000", "--no-progress"];

    [Fact]
    public void SigtermSavesACheckpointAndExitsWith143()
    {
        using var dir = new TempDirectory();
        using var run = CliProcess.Start(dir.Path, LongRun);
        Assert.True(run.WaitForLine("epoch "), run.ToString());
        run.Signal("TERM");

        Assert.Equal(143, run.Exit());
        Assert.Contains("interrupted (SIGTERM)", run.Error, StringComparison.Ordinal);
        // No --checkpoint: only the interruption can have written this file.
        Checkpoint saved = CheckpointFile.Read(dir.File("fastnet-interrupted.ckpt"));
        Assert.True(saved.Position.Epoch >= 1, $"saved at epoch {saved.Position.Epoch}");
    }

    [Fact]
    public void ASecondCtrlCDuringTheSaveStillEndsWithACompleteCheckpointAndExit130()
    {
        using var dir = new TempDirectory();
        using var run = CliProcess.Start(dir.Path, LongRun);
        Assert.True(run.WaitForLine("epoch "), run.ToString());
        run.Signal("INT");
        run.Signal("INT");

        Assert.Equal(130, run.Exit());
        Assert.Contains("saved fastnet-interrupted.ckpt", run.Error, StringComparison.Ordinal);
        CheckpointFile.Read(dir.File("fastnet-interrupted.ckpt"));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}
