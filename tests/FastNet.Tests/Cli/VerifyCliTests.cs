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
}
