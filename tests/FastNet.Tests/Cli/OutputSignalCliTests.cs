using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>A signal while predict or export writes its output file: the unfinished temporary file is removed, the
/// previous file stays, and the exit status is the signal's. Ended by the signal's default action, the process left
/// the temporary file beside the target.</summary>
public class OutputSignalCliTests
{
    [Theory]
    [InlineData("INT", 130, "SIGINT")]
    [InlineData("TERM", 143, "SIGTERM")]
    public async Task ASignalWhilePredictWritesRemovesTheUnfinishedFileAndKeepsThePreviousOne(string signal, int exit,
        string name)
    {
        using var dir = new TempDirectory();
        CliRun train = CliRun.Of("train", "--layers", "8", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        string input = dir.File("x.csv"), target = dir.Write("p.csv", "the previous predictions\n");
        await NamedPipes.Make(input);
        using var run = CliProcess.Start(dir.Path, "predict", "--model", dir.File("m.json"), "--input", input,
            "--divide", "16", "--output", target);
        // 8000 rows of 10 probabilities outgrow the pipes that hold the write (see Interrupt)
        string rows = string.Concat(Enumerable.Range(0, 8000).Select(r => string.Join(',',
            Enumerable.Range(0, 64).Select(c => ((r * 7 + c) % 17).ToString(CultureInfo.InvariantCulture))) + "\n"));

        Assert.True(await Interrupt(run, input, Encoding.ASCII.GetBytes(rows), target, signal) == exit, run.ToString());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        Assert.Equal("the previous predictions\n", File.ReadAllText(target));
        Assert.Contains($"fastnet: interrupted ({name}) while writing {target}; {target} is as it was", run.Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigtermWhileExportWritesRemovesTheUnfinishedFileAndKeepsThePreviousOne()
    {
        using var dir = new TempDirectory();
        // 64·2048 + 2048·10 weights: an ONNX file that outgrows the pipes
        CliRun train = CliRun.Of("train", "--layers", "2048", "--epochs", "1", "--no-progress", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        byte[] model = File.ReadAllBytes(dir.File("m.json"));
        string piped = dir.File("piped.json"), target = dir.Write("m.onnx", "the previous export\n");
        await NamedPipes.Make(piped);
        using var run = CliProcess.Start(dir.Path, "export", "--model", piped, "--onnx", target);

        Assert.True(await Interrupt(run, piped, model, target, "TERM") == 143, run.ToString());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        Assert.Equal("the previous export\n", File.ReadAllText(target));
        Assert.Contains($"fastnet: interrupted (SIGTERM) while writing {target}; {target} is as it was", run.Error,
            StringComparison.Ordinal);
    }

    // The run reads its input from the named pipe <paramref name="input"/> after its start checks, which write and
    // remove the target's temporary file; made a named pipe only then, that file holds the write until this reads it.
    // The signal comes once the write has begun; the run removes the file as the signal arrives, and only then is the
    // rest read, so the run cannot have finished the write before it took the signal.
    // Returns the run's exit code.
    private static async Task<int> Interrupt(CliProcess run, string input, byte[] content, string target, string signal)
    {
        Task<int> exit = Task.Run(run.Exit);
        string temporary = AtomicFile.TemporaryFor(target, run.Id);
        await using (FileStream feed = await NamedPipes.BeforeExit(Task.Run(() => new FileStream(input, FileMode.Open, FileAccess.Write)), exit, run))
        {
            await NamedPipes.Make(temporary);
            await feed.WriteAsync(content);
        }
        // cat reads the pipe (a FileStream here would take a lock that the writer's exclusive one refuses); its first
        // character shows the write under way, and the rest waits in the pipes until read
        using Process cat = Process.Start(new ProcessStartInfo("cat", [temporary]) { RedirectStandardOutput = true })!;
        await NamedPipes.BeforeExit(Task.Run(cat.StandardOutput.Read), exit, run);
        run.Signal(signal);
        DateTime giveUp = DateTime.UtcNow.AddMinutes(1); // far more than taking a signal needs
        while (File.Exists(temporary) && !exit.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < giveUp, $"the run neither removed {temporary} nor ended\n{run}");
            await Task.Delay(10);
        }
        await cat.StandardOutput.ReadToEndAsync();
        return await exit;
    }
}
