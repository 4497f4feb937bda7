using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>fastnet bench --ops</c>: after the usual table, each workload's step split into its ops.</summary>
public class BenchOpsCliTests
{
    [Fact]
    public void OpsSplitTheStepIntoItsOps()
    {
        CliRun run = CliRun.Of("bench", "--layers", "20,16,4", "--batch", "8", "--backend", "reference", "--repeats",
            "1", "--seconds", "0.05", "--ops");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("ops of custom on reference, per training step (", run.Output, StringComparison.Ordinal);
        // a dense op has its rate and % of peak; the loss neither
        Assert.Matches(@"(?m)^forward 8×16→4 identity +1 +[0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+%$", run.Output);
        Assert.Matches(@"(?m)^loss cross-entropy 8×4 +1 +[0-9.]+ +[0-9.]+%$", run.Output);
        Assert.Matches(@"(?m)^all ops +[0-9.]+ +[0-9.]+%$", run.Output);
        Assert.Matches(@"(?m)^the step \(between the ops: -?[0-9.]+ µs\) +[0-9.]+ +100\.0%$", run.Output);
    }

    [Fact]
    public void OpsAreRefusedWhereTheyCannotBeShown()
    {
        foreach (string[] other in new[] { new[] { "--json" }, ["--gemm", "48"], ["--fresh-processes", "2"] })
        {
            CliRun run = CliRun.Of(["bench", "--layers", "20,16,4", "--backend", "reference", "--ops", .. other]);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("--ops", run.Error, StringComparison.Ordinal);
        }
    }
}
