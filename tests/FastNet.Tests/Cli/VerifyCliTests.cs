using Xunit;

namespace FastNet.Tests.Cli;

public class VerifyCliTests
{
    [Fact]
    public void VerifyChecksEveryAvailableBackendAndPasses()
    {
        CliRun run = CliRun.Of("verify", "--layers", "16", "--batch", "8", "--steps", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] others = [.. Backends.Available.Select(d => d.Name).Where(n => n != "reference")];
        if (others.Length == 0)
        {
            Assert.Contains("nothing to compare", run.Output, StringComparison.Ordinal);
            return;
        }
        Assert.Contains("verify: PASS", run.Output, StringComparison.Ordinal);
        Assert.All(others, name => Assert.Contains($"{name} vs reference", run.Output, StringComparison.Ordinal));
    }

    [Fact]
    public void VerifyOfAnUnknownBackendFailsClearly()
    {
        CliRun run = CliRun.Of("verify", "--backend", "abacus");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("unknown backend 'abacus'", run.Error, StringComparison.Ordinal);
    }

    // a list naming no backend compared nothing and exited 0, as if every backend had passed
    [Theory]
    [InlineData(",")]
    [InlineData(" , ,")]
    public void VerifyOfAListNamingNoBackendIsAnError(string list)
    {
        CliRun run = CliRun.Of("verify", "--backend", list);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith("fastnet: error: --backend: expected one or more comma-separated backends (available here: ",
            run.Error, StringComparison.Ordinal);
    }

    // every step's batch was gathered before the first was compared, and any count was taken: --steps 2000000000 took
    // 4 GB within seconds and ended in an out-of-memory stack trace; a count beyond the limit only ran on, silently
    [Fact]
    public void VerifyRefusesStepsBeyondTheLimitNamingIt()
    {
        CliRun run = CliRun.Of("verify", "--backend", "simd", "--layers", "4", "--batch", "1", "--steps", "10001");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Equal("fastnet: error: --steps: expected a number from 1 to 10000, found 10001", run.Error.Trim());
    }

    // memory was not checked: a network too large for the machine was drawn and copied until the run crashed with an
    // out-of-memory stack trace; 46000,46000 has 2.1 billion parameters, over 150 GiB of arrays with adam
    [Fact]
    public void VerifyOfANetworkTooLargeForMemoryIsRefusedBeforeItIsDrawn()
    {
        CliRun run = CliRun.Of("verify", "--backend", "simd", "--layers", "46000,46000", "--batch", "1", "--steps", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith("fastnet: error: not enough memory: the run needs ", run.Error, StringComparison.Ordinal);
        Assert.Contains("optimizer state", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }
}
