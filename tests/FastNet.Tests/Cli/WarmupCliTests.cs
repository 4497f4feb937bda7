using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>A learning-rate warm-up longer than the run.</summary>
public class WarmupCliTests
{
    private static readonly string[] Small = ["train", "--backend", "simd", "--layers", "8", "--batch", "64", "--epochs", "2",
        "--no-progress"];

    // 1438 digits in batches of 64 are 23 steps an epoch, 46 in all: a 1000-step warm-up ends the run at 4.6% of the
    // rate, and nothing said so
    [Fact]
    public void AWarmupLongerThanTheRunIsWarnedAbout()
    {
        CliRun run = CliRun.Of([.. Small, "--warmup", "1000"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("fastnet: warning: --warmup 1000 is longer than the run's 46 steps (2 epochs of 23): the learning "
            + "rate rises to 4.6% of the schedule's and never reaches it", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AWarmupTheRunCompletesIsNotWarnedAbout()
    {
        CliRun run = CliRun.Of([.. Small, "--warmup", "46"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("--warmup", run.Error, StringComparison.Ordinal);
    }
}
