using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>--threads N</c>: the simd backend's thread count, printed in the header. At batch &gt; 1 the simd
/// backend splits no reduction across threads, so the result is the same bits on any number of threads.</summary>
public class ThreadsCliTests
{
    // Wide enough that the GEMMs, the delta sweep and the optimizer step all run split over threads.
    private static readonly string[] Run = ["train", "--backend", "simd", "--layers", "1024", "--batch", "128", "--epochs", "2", "--no-progress"];

    [Fact]
    public void OneAndTwoThreadsTrainTheSameBitsAndTheHeaderSaysHowMany()
    {
        using var dir = new TempDirectory();
        CliRun one = CliRun.Of([.. Run, "--threads", "1", "--save", dir.File("one.json")]);
        CliRun two = CliRun.Of([.. Run, "--threads", "2", "--save", dir.File("two.json")]);
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.True(two.ExitCode == 0, two.ToString());

        Assert.Contains(", backend simd (1 thread), seed 1", one.Output, StringComparison.Ordinal);
        Assert.Contains(", backend simd (2 threads), seed 1", two.Output, StringComparison.Ordinal);
        Assert.Equal(ModelJson.Read(dir.File("one.json")).Parameters, ModelJson.Read(dir.File("two.json")).Parameters);
        Assert.Equal(FinalScore(one), FinalScore(two));
    }

    private static string FinalScore(CliRun run) =>
        run.Output.Split('\n').Last(line => line.StartsWith("test accuracy", StringComparison.Ordinal));

    [Fact]
    public void TheDefaultIsOneThreadPerCore()
    {
        CliRun run = CliRun.Of("train", "--backend", "simd", "--layers", "8", "--epochs", "0", "--no-progress");
        Assert.True(run.ExitCode == 0, run.ToString());
        int cores = Environment.ProcessorCount;
        Assert.Contains($", backend simd ({cores} thread{(cores == 1 ? "" : "s")}), seed 1", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simd", "0", "expected at least 1 thread, got 0")]
    [InlineData("reference", "2", "backend 'reference' runs on one thread, not 2")]
    public void ImpossibleThreadCountsAreRefused(string backend, string threads, string message)
    {
        CliRun run = CliRun.Of("train", "--backend", backend, "--threads", threads, "--epochs", "0", "--no-progress");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"fastnet: error: {message}\n", run.Error);
    }

    // The backend is built after the data is read (a slow load for MNIST); what it would refuse is refused before: a
    // data or model file that is not there would be the error otherwise, and nothing is printed first.
    [Theory]
    [InlineData("backend 'reference' runs on one thread, not 2", "train", "--backend", "reference", "--threads", "2", "--data", "missing.csv", "--no-progress")]
    [InlineData("unknown backend 'fast'", "train", "--backend", "fast", "--data", "missing.csv", "--no-progress")]
    [InlineData("unknown backend 'fast'", "eval", "--backend", "fast", "--model", "missing.json")]
    [InlineData("unknown backend 'fast'", "predict", "--backend", "fast", "--model", "missing.json", "--input", "missing.csv", "--output", "-")]
    public void ABackendOrThreadCountIsRefusedBeforeTheDataIsRead(string message, params string[] args)
    {
        CliRun run = CliRun.Of(args);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"fastnet: error: {message}", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    // 100000 threads spent minutes starting before the first step; a few per core is the most that can help
    [Fact]
    public void MoreThanFourThreadsPerCoreAreRefusedBeforeAnyIsStarted()
    {
        int most = 4 * Environment.ProcessorCount;
        CliRun fine = CliRun.Of("train", "--backend", "simd", "--threads", $"{most}", "--layers", "8", "--epochs", "0", "--no-progress");
        Assert.True(fine.ExitCode == 0, fine.ToString());

        foreach (int threads in new[] { most + 1, 100_000 })
        {
            CliRun run = CliRun.Of("train", "--threads", $"{threads}", "--epochs", "0", "--no-progress");
            Assert.Equal(1, run.ExitCode);
            Assert.Equal($"fastnet: error: --threads: expected at most {most} threads (4 per core, {Environment.ProcessorCount} "
                + $"cores here), got {threads}\n", run.Error);
            Assert.Equal("", run.Output);
        }
    }
}
