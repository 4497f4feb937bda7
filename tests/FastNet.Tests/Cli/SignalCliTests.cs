using System.Diagnostics;
using FastNet.Checkpoints;
using FastNet.Model;
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

    // After the last batch nothing stops for a signal: it had ended the run there, the trained model unsaved and no
    // checkpoint kept. The run now finishes its outputs and then exits with the signal's status.
    [Fact]
    public async Task CtrlCWhileTheModelIsSavedLetsTheSaveFinishThenExitsWith130()
    {
        using var dir = new TempDirectory();
        string data = dir.File("data.csv"), save = dir.File("model.json");
        await NamedPipes.Make(data);
        using var run = CliProcess.Start(dir.Path, "train", "--data", data, "--layers", "1024,64", "--epochs", "1",
            "--no-progress", "--save", save);
        Task<int> exit = Task.Run(run.Exit);
        // The run opens its data after its start checks, which write and remove the save's temporary file; made a
        // named pipe only then, that file holds the save until this test reads it (the model outgrows the pipes).
        await using (FileStream rows = await NamedPipes.BeforeExit(Task.Run(() => new FileStream(data, FileMode.Open, FileAccess.Write)), exit, run))
        {
            await NamedPipes.Make(AtomicFile.TemporaryFor(save, run.Id));
            await rows.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                string.Concat(Enumerable.Range(0, 64).Select(r => $"{r % 5},{r % 3},{r % 2}\n"))));
        }
        // cat reads the pipe (a FileStream here would take a lock that the writer's exclusive one refuses); its first
        // character shows the save under way, and the rest of the model waits in the pipes until read
        using Process cat = Process.Start(new ProcessStartInfo("cat", [AtomicFile.TemporaryFor(save, run.Id)])
        {
            RedirectStandardOutput = true,
        })!;
        int first = await NamedPipes.BeforeExit(Task.Run(cat.StandardOutput.Read), exit, run);
        run.Signal("INT");
        string saved = (char)first + await cat.StandardOutput.ReadToEndAsync();

        Assert.Equal(130, await exit);
        Assert.Contains("fastnet: interrupted (SIGINT) after the last batch; the outputs were finished first", run.Error,
            StringComparison.Ordinal);
        Assert.Equal("2-1024-64-2", ModelJson.Parse(saved, save).Spec.ToString()); // whole, or it would not parse
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
