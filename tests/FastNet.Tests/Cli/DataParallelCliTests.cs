using System.Text.RegularExpressions;
using FastNet.Cli;
using FastNet.Distributed;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Tests.Distributed;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>fastnet train</c> as ranks of a data-parallel run, with the ranks as threads: rank 0 alone prints and
/// writes; ranks that resolve different configurations are refused before training.</summary>
public class DataParallelCliTests
{
    private static readonly string[] Small = ["train", "--layers", "16", "--batch", "64", "--epochs", "2", "--no-progress"];

    internal static CliRun[] OnRanks(int ranks, Func<int, string[]> args) => InProcessCommunicator.Run(ranks, communicator =>
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = FastNetCli.Run(args(communicator.Rank), output, error, communicator);
        return new CliRun(exit, output.ToString(), error.ToString());
    });

    [Fact]
    public void RankZeroAlonePrintsAndWritesTheModelAndMetrics()
    {
        using var dir = new TempDirectory();
        CliRun[] runs = OnRanks(2, rank => [.. Small, "--save", dir.File($"model{rank}.json"), "--metrics", dir.File($"m{rank}.jsonl")]);
        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.ToString()));
        Assert.Contains("data-parallel on 2 ranks (up to 32 rows of each batch per rank), all-reduce flat", runs[0].Output, StringComparison.Ordinal);
        Assert.Contains("epoch 2/2", runs[0].Output, StringComparison.Ordinal);
        Assert.Equal("", runs[1].Output);
        Assert.True(File.Exists(dir.File("model0.json")) && File.Exists(dir.File("m0.jsonl")));
        Assert.False(File.Exists(dir.File("model1.json")) || File.Exists(dir.File("m1.jsonl")));
        Assert.Equal(2, File.ReadAllLines(dir.File("m0.jsonl")).Length);
    }

    /// <summary>The test set of the digits split in half, 899 rows, is two batches of the final score: over 2 ranks one
    /// each, over 3 one, one and none. The line train prints is eval's figures for the saved model, to the last digit.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TheFinalTestScoreOfRanksIsEvalsScoreOfTheSavedModel(int ranks)
    {
        using var dir = new TempDirectory();
        string model = dir.File("model.json");
        CliRun[] runs = OnRanks(ranks, _ => ["train", "--layers", "16", "--batch", "64", "--epochs", "1", "--no-progress",
            "--test-fraction", "0.5", "--save", model]);
        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.ToString()));
        var output = new StringWriter();
        Assert.Equal(0, FastNetCli.Run(["eval", "--model", model], output, new StringWriter()));
        string eval = output.ToString();
        Assert.Contains("899 examples", eval, StringComparison.Ordinal);
        string accuracy = Regex.Match(eval, @"^accuracy (\S+)$", RegexOptions.Multiline).Groups[1].Value;
        string loss = Regex.Match(eval, @"^loss \([^)]*\) (\S+)", RegexOptions.Multiline).Groups[1].Value;
        Assert.Contains($"test accuracy {accuracy}  test loss {loss}\n", runs[0].Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    /// <summary>--allreduce layers sends each layer's gradient as the backward pass finishes it: the same sums, so the
    /// same model as the flat all-reduce's, bit for bit, on 3 ranks (batches of 64: 22 + 22 + 20 rows).</summary>
    [Fact]
    public void TheLayerAllReduceTrainsTheFlatAllReducesModel()
    {
        using var dir = new TempDirectory();
        CliRun[] flat = OnRanks(3, _ => [.. Small, "--dropout", "0.2", "--save", dir.File("flat.json")]);
        CliRun[] layers = OnRanks(3, _ => [.. Small, "--dropout", "0.2", "--allreduce", "layers", "--save", dir.File("layers.json")]);
        Assert.All(flat.Concat(layers), run => Assert.True(run.ExitCode == 0, run.ToString()));
        Assert.Contains("data-parallel on 3 ranks (up to 22 rows of each batch per rank), all-reduce layers", layers[0].Output,
            StringComparison.Ordinal);
        Assert.Equal(ModelJson.Read(dir.File("flat.json")).Parameters.Select(BitConverter.SingleToInt32Bits),
            ModelJson.Read(dir.File("layers.json")).Parameters.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void RanksThatDisagreeOnTheAllReduceAreRefusedBeforeTraining()
    {
        CliRun[] runs = OnRanks(2, rank => [.. Small, "--allreduce", rank == 0 ? "flat" : "layers"]);
        Assert.All(runs, run =>
        {
            Assert.Equal(FastNetCli.Failure, run.ExitCode);
            Assert.Contains("the training configuration (options, network, backend or data) differs between the ranks",
                run.Error, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void RanksWithDifferentOptionsAreRefusedBeforeTraining()
    {
        CliRun[] runs = OnRanks(2, rank => [.. Small, "--seed", rank == 0 ? "1" : "2"]);
        Assert.All(runs.Select((run, rank) => (run, rank)), r =>
        {
            (CliRun run, int rank) = r;
            Assert.Equal(FastNetCli.Failure, run.ExitCode);
            Assert.Contains($"fastnet: error on rank {rank}: the training configuration (options, network, backend or data) differs between the ranks: "
                + "1 of 2 ranks disagree with rank 0", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("epoch 1/2", run.Output, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void ADataFileMissingOnOneRankStopsEveryRankWithThatRanksMessage()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("good.csv"), "a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        CliRun[] runs = OnRanks(2, rank => ["train", "--data", dir.File(rank == 0 ? "good.csv" : "missing.csv"), "--no-progress"]);
        Assert.All(runs, run => Assert.Equal(FastNetCli.Failure, run.ExitCode));
        Assert.Contains($"fastnet: error on rank 1: {dir.File("missing.csv")}: file not found", runs[1].Error, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 1/", runs[0].Output, StringComparison.Ordinal);
    }

    /// <summary>Every rank judges the same all-reduced loss, so a divergence ends all of them at the same batch: rank 0
    /// alone says why and what was kept, every rank exits 1, and none aborts the job (under mpirun MPI_Abort prints
    /// its banner and can kill rank 0 while it writes the message).</summary>
    [Fact]
    public void ADivergenceEndsEveryRankTogetherWithRankZerosMessageAlone()
    {
        using var dir = new TempDirectory();
        var aborts = new int[2];
        CliRun[] runs = InProcessCommunicator.Run(2, communicator =>
        {
            var output = new StringWriter();
            var error = new StringWriter();
            string[] args = ["train", "--layers", "32", "--batch", "100", "--lr", "1e6", "--epochs", "3", "--no-progress",
                "--checkpoint", dir.File($"run{communicator.Rank}.ckpt")];
            int exit = FastNetCli.Run(args, output, error, new AbortCounter(communicator, aborts));
            return new CliRun(exit, output.ToString(), error.ToString());
        });
        Assert.All(runs, run => Assert.Equal(FastNetCli.Failure, run.ExitCode));
        Assert.Equal([0, 0], aborts);
        string message = Assert.Single(runs[0].Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("fastnet: error: training diverged in epoch 1 at batch ", message, StringComparison.Ordinal);
        Assert.EndsWith("no checkpoint was written: it diverged before this run finished an epoch", message.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal("", runs[1].Error);
    }

    /// <summary>Every rank reads the same data, so its warnings are rank 0's alone.</summary>
    [Fact]
    public void RankZeroAloneWarnsAboutTheData()
    {
        using var dir = new TempDirectory();
        string stray = dir.Write("stray.csv", "1,2,0\n2,1,1\n3,3,0\n1,1,1\n2,2,9\n");
        CliRun[] runs = OnRanks(2, _ => ["train", "--data", stray, "--layers", "none", "--epochs", "1", "--no-progress"]);
        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.ToString()));
        Assert.Contains("7 of 10 classes have no training example", runs[0].Error, StringComparison.Ordinal);
        Assert.Equal("", runs[1].Error);
    }

    /// <summary>Rank 0 alone writes checkpoints, so on several hosts only its host has them: rank 0 reads the one
    /// resumed and hands it on, and a rank whose path names no file (another host's view) resumes the same run.</summary>
    [Fact]
    public void AResumedRunNeedsTheCheckpointOnlyWhereRankZeroRuns()
    {
        using var dir = new TempDirectory();
        string[] run = ["train", "--layers", "16", "--batch", "64", "--no-progress"];
        CliRun[] straight = OnRanks(2, _ => [.. run, "--epochs", "2", "--save", dir.File("straight.json")]);
        Assert.All(straight, r => Assert.True(r.ExitCode == 0, r.ToString()));
        CliRun[] first = OnRanks(2, _ => [.. run, "--epochs", "1", "--checkpoint", dir.File("run.ckpt")]);
        Assert.All(first, r => Assert.True(r.ExitCode == 0, r.ToString()));

        CliRun[] resumed = OnRanks(2, rank => [.. run, "--epochs", "2", "--resume", dir.File(rank == 0 ? "run.ckpt" : "elsewhere.ckpt"),
            "--save", dir.File("resumed.json")]);
        Assert.All(resumed, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Contains("epoch 2/2", resumed[0].Output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(dir.File("straight.json")), File.ReadAllBytes(dir.File("resumed.json")));
    }

    /// <summary>The checkpoint rank 0 cannot read ends every rank with rank 0's message; no rank trains.</summary>
    [Fact]
    public void ACheckpointMissingWhereRankZeroRunsStopsEveryRank()
    {
        using var dir = new TempDirectory();
        CliRun[] runs = OnRanks(2, _ => ["train", "--layers", "16", "--no-progress", "--resume", dir.File("missing.ckpt")]);
        Assert.All(runs, run => Assert.Equal(FastNetCli.Failure, run.ExitCode));
        Assert.Contains($"fastnet: error on rank 0: {dir.File("missing.ckpt")}: file not found", runs[0].Error, StringComparison.Ordinal);
        Assert.All(runs, run => Assert.DoesNotContain("epoch 1/", run.Output, StringComparison.Ordinal));
    }

    /// <summary>--init, a JSON model or an ONNX one, is read by rank 0 alone: a rank whose path names no file starts
    /// from the same model, and the run saves the model of ranks that all read it.</summary>
    [Theory]
    [InlineData("init.json")]
    [InlineData("init.onnx")]
    public void AnInitialModelIsNeededOnlyWhereRankZeroRuns(string initial)
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, CliRun.Of("train", "--layers", "16", "--epochs", "1", "--no-progress", "--save", dir.File("init.json")).ExitCode);
        if (initial.EndsWith(".onnx", StringComparison.Ordinal))
        {
            Assert.Equal(0, CliRun.Of("export", "--model", dir.File("init.json"), "--onnx", dir.File("init.onnx")).ExitCode);
        }
        string[] run = ["train", "--batch", "64", "--epochs", "1", "--no-progress"];
        CliRun[] everywhere = OnRanks(2, _ => [.. run, "--init", dir.File(initial), "--save", dir.File("everywhere.json")]);
        Assert.All(everywhere, r => Assert.True(r.ExitCode == 0, r.ToString()));
        CliRun[] rootOnly = OnRanks(2, rank => [.. run, "--init", dir.File(rank == 0 ? initial : "elsewhere.json"),
            "--save", dir.File("root-only.json")]);
        Assert.All(rootOnly, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(File.ReadAllBytes(dir.File("everywhere.json")), File.ReadAllBytes(dir.File("root-only.json")));
    }

    /// <summary>
    /// Run by tests/mpi/run-mpirun-test.sh after a real <c>mpirun -np 2 fastnet train</c>: FASTNET_MPIRUN_DIR holds
    /// args.txt (the train arguments, one a line) and mpi.json (the model rank 0 saved). The same run with two
    /// in-process ranks must give the same model bit for bit: with two ranks both sum a + b, and IEEE addition is
    /// commutative, so Open MPI and the in-process communicator agree exactly; the in-process ranks are checked
    /// against one process within the tolerance rule by the data-parallel lockstep tests.
    /// </summary>
    [MpirunFact]
    public void AnMpirunModelEqualsTheSameRunOnInProcessRanks()
    {
        string dir = Environment.GetEnvironmentVariable(MpirunFactAttribute.Variable)!;
        string[] args = File.ReadAllLines(Path.Combine(dir, "args.txt"));
        string ranksModel = Path.Combine(dir, "in-process.json");
        CliRun[] runs = OnRanks(2, rank => [.. args, "--save", ranksModel]);
        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.ToString()));
        float[] mpi = ModelJson.Read(Path.Combine(dir, "mpi.json")).Parameters;
        float[] threads = ModelJson.Read(ranksModel).Parameters;
        Assert.Equal(threads.Select(BitConverter.SingleToInt32Bits), mpi.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>A rank's communicator that counts its <see cref="ICommunicator.Abort"/> calls.</summary>
    private sealed class AbortCounter(ICommunicator inner, int[] aborts) : ICommunicator
    {
        public int Rank => inner.Rank;

        public int Size => inner.Size;

        public void AllReduceSum(Span<float> values) => inner.AllReduceSum(values);

        public IAllReduceRequest StartAllReduceSum(Memory<float> values) => inner.StartAllReduceSum(values);

        public void Broadcast(Span<byte> data, int root) => inner.Broadcast(data, root);

        public void Abort(int exitCode)
        {
            Interlocked.Increment(ref aborts[inner.Rank]);
            inner.Abort(exitCode);
        }

        public void Dispose() => inner.Dispose();
    }
}
