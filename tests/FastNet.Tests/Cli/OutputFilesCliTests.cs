using System.Diagnostics;
using FastNet.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>A run that would fail at its end fails at its start, naming the option and the user's path; an output
/// that fails after training has started keeps the trained state and says where.</summary>
public class OutputFilesCliTests
{
    public static TheoryData<string> TrainOutputs => ["--save", "--plot", "--metrics", "--checkpoint"];

    [Theory]
    [MemberData(nameof(TrainOutputs))]
    public void ADirectoryThatTakesNoFilesFailsBeforeTraining(string option)
    {
        // /proc/self takes no new files, not even from root.
        const string target = "/proc/self/fastnet-output";
        CliRun run = CliRun.Of("train", "--epochs", "1", "--no-progress", option, target);
        AssertFailedAtStart(run, $"{option} {target}: cannot write the file");
    }

    [Theory]
    [MemberData(nameof(TrainOutputs))]
    public void ATargetThatIsADirectoryFailsBeforeTraining(string option)
    {
        using var dir = new TempDirectory();
        CliRun run = CliRun.Of("train", "--epochs", "1", "--no-progress", option, dir.Path);
        AssertFailedAtStart(run, $"{option} {dir.Path}: is a directory");
    }

    [Theory]
    [MemberData(nameof(TrainOutputs))]
    public void ATargetInsideARegularFileFailsBeforeTraining(string option)
    {
        using var dir = new TempDirectory();
        string file = dir.Write("file", "");
        CliRun run = CliRun.Of("train", "--epochs", "1", "--no-progress", option, Path.Combine(file, "out"));
        AssertFailedAtStart(run, $"{option} {Path.Combine(file, "out")}: {file} is a file, not a directory");
    }

    // the model file would replace the checkpoint (or the other way round) without a word
    [Fact]
    public void TwoOutputsNamingOneFileAreRefusedBeforeTraining()
    {
        using var dir = new TempDirectory();

        CliRun run = CliRun.Of("train", "--epochs", "1", "--no-progress", "--checkpoint", dir.File("run.ckpt"), "--save",
            Path.Combine(dir.Path, ".", "run.ckpt"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"fastnet: error: --save {Path.Combine(dir.Path, ".", "run.ckpt")} and --checkpoint {dir.File("run.ckpt")} "
            + "name the same file; each output needs its own\n", run.Error.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal("", run.Output);
        Assert.False(File.Exists(dir.File("run.ckpt")));
    }

    // predict reads all its input before it writes: an output naming the input would replace the features (or the
    // model) with predictions
    [Fact]
    public void AnOutputNamingAnInputIsRefusedAndTheInputKept()
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.json"), input = dir.Write("x.csv", "0.5,0.5\n");
        CliRun train = CliRun.Of("train", "--data", dir.Write("d.csv", "0,0,0\n1,1,1\n0,1,0\n1,0,1\n"), "--layers", "2",
            "--epochs", "1", "--no-progress", "--save", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        byte[] modelBytes = File.ReadAllBytes(model);

        CliRun predict = CliRun.Of("predict", "--model", model, "--input", input, "--output", input);
        CliRun overModel = CliRun.Of("predict", "--model", model, "--input", input, "--output", model);
        CliRun export = CliRun.Of("export", "--model", model, "--onnx", model);

        Assert.Equal((1, $"fastnet: error: --output {input}: the --input file; writing it would replace what it is made from\n"),
            (predict.ExitCode, predict.Error.Replace("\r", "", StringComparison.Ordinal)));
        Assert.Equal(1, overModel.ExitCode);
        Assert.Contains($"--output {model}: the --model file", overModel.Error, StringComparison.Ordinal);
        Assert.Equal(1, export.ExitCode);
        Assert.Contains($"--onnx {model}: the --model file", export.Error, StringComparison.Ordinal);
        Assert.Equal("0.5,0.5\n", File.ReadAllText(input));
        Assert.Equal(modelBytes, File.ReadAllBytes(model));
    }

    // train reads its data before it writes: an output naming the data file would replace it with a model, a
    // checkpoint, a plot or metrics
    [Theory]
    [MemberData(nameof(TrainOutputs))]
    public void ATrainOutputNamingTheDataIsRefusedAndTheDataKept(string option)
    {
        using var dir = new TempDirectory();
        const string rows = "0,0,0\n1,1,1\n0,1,0\n1,0,1\n";
        string data = dir.Write("d.csv", rows);

        CliRun run = CliRun.Of("train", "--data", data, "--layers", "2", "--epochs", "1", "--no-progress", option, data);

        Assert.Equal((1, $"fastnet: error: {option} {data}: the --data file; writing it would replace what it is made from\n"),
            (run.ExitCode, run.Error.Replace("\r", "", StringComparison.Ordinal)));
        Assert.Equal(rows, File.ReadAllText(data));
    }

    // a failed --save keeps the trained state in <save>.ckpt: refused where that is another output or an input, taken
    // where it is the run's own --checkpoint
    [Theory]
    [InlineData("--metrics")]
    [InlineData("--plot")]
    [InlineData("--data")]
    public void ASaveWhoseRescueCheckpointIsAnotherFileIsRefused(string option)
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.json"), rescue = dir.Write("m.json.ckpt", "0,0,0\n1,1,1\n0,1,0\n1,0,1\n");

        CliRun run = CliRun.Of("train", "--layers", "2", "--epochs", "1", "--no-progress", "--save", model, option, rescue);

        Assert.Equal((1, $"fastnet: error: --save {model}: a failed write keeps the run's state in {rescue}, the {option} "
            + $"file; choose another --save or {option}\n"), (run.ExitCode, run.Error.Replace("\r", "", StringComparison.Ordinal)));
        Assert.Equal("0,0,0\n1,1,1\n0,1,0\n1,0,1\n", File.ReadAllText(rescue));

        CliRun own = CliRun.Of("train", "--layers", "2", "--epochs", "1", "--no-progress", "--save", dir.File("n.json"),
            "--checkpoint", dir.File("n.json.ckpt"));
        Assert.True(own.ExitCode == 0, own.ToString());
    }

    // --save naming the model a run starts from or the checkpoint it resumes would replace it; --checkpoint naming
    // the resumed checkpoint is how a resumed run goes on, and stays allowed
    [Fact]
    public void ASaveNamingTheStartingModelOrTheResumedCheckpointIsRefused()
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.json"), checkpoint = dir.File("run.ckpt");
        CliRun first = CliRun.Of("train", "--layers", "2", "--epochs", "1", "--no-progress", "--save", model,
            "--checkpoint", checkpoint);
        Assert.True(first.ExitCode == 0, first.ToString());
        byte[] modelBytes = File.ReadAllBytes(model), checkpointBytes = File.ReadAllBytes(checkpoint);

        CliRun init = CliRun.Of("train", "--epochs", "1", "--no-progress", "--init", model, "--save", model);
        CliRun resume = CliRun.Of("train", "--epochs", "2", "--no-progress", "--resume", checkpoint, "--save", checkpoint);
        CliRun continued = CliRun.Of("train", "--epochs", "2", "--no-progress", "--resume", checkpoint, "--checkpoint", checkpoint);

        Assert.Equal(1, init.ExitCode);
        Assert.Contains($"--save {model}: the --init file", init.Error, StringComparison.Ordinal);
        Assert.Equal(1, resume.ExitCode);
        Assert.Contains($"--save {checkpoint}: the --resume file", resume.Error, StringComparison.Ordinal);
        Assert.Equal(modelBytes, File.ReadAllBytes(model));
        Assert.True(continued.ExitCode == 0, continued.ToString());
        Assert.Equal(2, CheckpointFile.Read(checkpoint).Position.Epoch);
        Assert.NotEqual(checkpointBytes, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void PredictChecksItsOutputBeforeReadingAnything()
    {
        using var dir = new TempDirectory();
        CliRun run = CliRun.Of("predict", "--model", dir.File("absent.json"), "--input", dir.File("absent.csv"),
            "--output", dir.Path);
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains($"--output {dir.Path}: is a directory", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TemporaryFilesOfAKilledRunAreRemovedWhenTheNextRunStarts()
    {
        using var dir = new TempDirectory();
        int ended = Files.ChildProcesses.EndedId();
        string[] outputs = ["model.json", "run.ckpt", "curve.png", "m.jsonl"];
        foreach (string output in outputs)
        {
            dir.Write(Path.GetFileName(AtomicFile.TemporaryFor(dir.File(output), ended)), "partial");
        }

        // It fails on its first batch size check, after the start checks: nothing is written by the run itself.
        CliRun run = CliRun.Of("train", "--epochs", "1", "--batch", "0", "--no-progress", "--save", dir.File("model.json"),
            "--checkpoint", dir.File("run.ckpt"), "--plot", dir.File("curve.png"), "--metrics", dir.File("m.jsonl"));

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task ASaveThatFailsAtTheEndKeepsTheTrainedStateAsACheckpointAndSaysWhere()
    {
        using var dir = new TempDirectory();
        string save = dir.File("model.json"), data = dir.File("data.csv");
        // The data comes through a named pipe: the run has passed its start checks (--save writable) once it opens the
        // pipe to read, which is when our open for writing returns. Only then does a non-empty directory take the
        // target's name, so the save at the end fails, in this order on any machine.
        using (Process mkfifo = Process.Start("mkfifo", [data]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        Task<CliRun> run = Task.Run(() => CliRun.Of("train", "--data", data, "--layers", "8", "--epochs", "2", "--no-progress",
            "--save", save));
        // opening the pipe to write waits for the run to open it to read: a run that ends first fails the test here
        Task<FileStream> opened = Task.Run(() => new FileStream(data, FileMode.Open, FileAccess.Write));
        if (await Task.WhenAny(opened, run) == run)
        {
            CliRun early = await run;
            Assert.Fail($"the run ended (exit {early.ExitCode}) before it opened its data: {early.Error}");
        }
        await using (FileStream pipe = await opened)
        {
            Directory.CreateDirectory(Path.Combine(save, "occupied"));
            byte[] rows = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 64).Select(r => $"{r % 5},{r % 3},{r % 2}\n")));
            await pipe.WriteAsync(rows);
        }
        CliRun result = await run;

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"--save {save}: ", result.Error, StringComparison.Ordinal);
        Assert.Contains($"the trained state is kept in {save}.ckpt", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, CheckpointFile.Read(save + ".ckpt").Position.Epoch);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void AMetricsWriteThatFailsMidRunKeepsTheStateInTheCheckpointAndSaysSo()
    {
        using var dir = new TempDirectory();
        // Appends to /dev/full fail with "no space left" whoever runs the test; the link itself looks like any file.
        string metrics = dir.File("m.jsonl");
        File.CreateSymbolicLink(metrics, "/dev/full");
        string checkpoint = dir.File("run.ckpt");

        CliRun run = CliRun.Of("train", "--layers", "8", "--epochs", "3", "--no-progress", "--metrics", metrics,
            "--checkpoint", checkpoint);

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Error.Split('\n'), line => line.Contains(metrics, StringComparison.Ordinal));
        Assert.Contains($"the trained state is kept in {checkpoint}", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, CheckpointFile.Read(checkpoint).Position.Epoch);
    }

    // A file-size limit cuts a write off part way, as a full disk does: the line cut off is removed again, so a
    // resumed run appends to whole lines
    [Fact]
    public async Task AMetricsLineCutOffPartWayIsRemovedAndTheFileKeepsWholeLines()
    {
        using var dir = new TempDirectory();

        (int exit, string output, string error) = await TrainUnderFileSizeLimit(dir, "--layers 2 --epochs 30 --metrics m.jsonl");

        Assert.True(exit == 1, $"exit {exit}: {output}{error}");
        Assert.Contains("fastnet: error: --metrics m.jsonl: cannot write the file (", error, StringComparison.Ordinal);
        string[] lines = File.ReadAllText(dir.File("m.jsonl")).Split('\n');
        Assert.Equal("", lines[^1]);
        Assert.All(lines[..^1], line => System.Text.Json.JsonDocument.Parse(line).Dispose()); // throws on a cut line
        Assert.True(lines.Length > 2, "no whole line was written before the limit");
    }

    // .NET reports a write past the file-size limit as an argument out of range: the run took it for a bug of its own,
    // said only "Specified file length was too large", and did not try to keep its state
    [Fact]
    public async Task ASaveCutOffByTheFileSizeLimitIsAFailedWriteNamingTheFile()
    {
        using var dir = new TempDirectory();

        (int exit, string output, string error) = await TrainUnderFileSizeLimit(dir, "--layers 2 --epochs 1 --save big.json");

        Assert.True(exit == 1, $"exit {exit}: {output}{error}");
        Assert.StartsWith("fastnet: error: --save big.json: cannot write the file (the file would be larger than the "
            + "file system or the process's file-size limit allows)\n", error, StringComparison.Ordinal);
        Assert.Contains("the run's state could not be kept anywhere: big.json.ckpt: cannot write the file", error,
            StringComparison.Ordinal); // tried: the checkpoint is over the limit as well
        Assert.Empty(Directory.GetFiles(dir.Path, "*big.json*"));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp")); // no write left its temporary file
    }

    // fastnet train with the arguments under a 1 KiB file-size limit; bash has the run ignore SIGXFSZ, so a write past
    // the limit fails instead of ending it; .NET's write-xor-execute mapping needs files beyond the limit to start at all
    private static async Task<(int Exit, string Output, string Error)> TrainUnderFileSizeLimit(TempDirectory dir,
        string arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DOTNET_EnableWriteXorExecute"] = "0", ["TMPDIR"] = dir.Path },
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"trap '' XFSZ; ulimit -f 1; exec dotnet \"$0\" train --no-progress {arguments}");
        start.ArgumentList.Add(typeof(FastNet.Cli.FastNetCli).Assembly.Location);
        using Process run = Process.Start(start)!;
        Task<string> output = run.StandardOutput.ReadToEndAsync(), error = run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        return (run.ExitCode, await output, await error);
    }

    private static void AssertFailedAtStart(CliRun run, string message)
    {
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains($"fastnet: error: {message}", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output); // failed before loading anything
    }
}
