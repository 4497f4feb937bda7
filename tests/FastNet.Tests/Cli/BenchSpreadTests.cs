using System.Text.Json;
using FastNet.Benchmarking;
using FastNet.Cli.Reporting;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// <c>fastnet bench</c> says when a measurement was unsteady: its repeats further apart (fastest / slowest) than
/// <see cref="RepeatSpread.UnsteadyAbove"/>, which happens when the machine changes speed with no other process to
/// show for it. The tables carry the spread of every measurement, a warning names each unsteady one, and the JSON
/// carries both.
/// </summary>
public class BenchSpreadTests
{
    private static readonly MachineLoad Quiet = new(1, 1, 0.01, 3, null);

    // an assumed peak of 100 GFLOP/s
    private static readonly FmaPeaks Peaks = new(50, 2, 95);

    [Theory]
    [InlineData(new double[] { 100 }, 1)]
    [InlineData(new double[] { 90, 100, 110 }, 110.0 / 90)]
    [InlineData(new double[] { 100, 0 }, 1)]
    public void TheSpreadIsTheFastestRepeatOverTheSlowest(double[] repeats, double spread) =>
        Assert.Equal(spread, RepeatSpread.Of(repeats), 12);

    [Fact]
    public void RepeatsMoreThanTwentyPercentApartAreUnsteady()
    {
        Assert.False(RepeatSpread.Unsteady([100, 120]));
        Assert.True(RepeatSpread.Unsteady([100, 120.5]));
    }

    [Fact]
    public void AnUnsteadyWorkloadGetsItsSpreadAndAWarningNamingTheRange()
    {
        string table = BenchReport.Table([Result("tanh-64", [5317, 9270, 8000]), Result("per-example", [1000, 1010, 1005])], Peaks, 3);
        Assert.Matches(@"(?m)^tanh-64 +reference .* 1\.74 +- +0\.01 +1\.00-1\.00$", table);
        Assert.Matches(@"(?m)^per-example +reference .* 1\.01 +- +0\.01 +1\.00-1\.00$", table);
        Assert.Contains("warning: tanh-64 on reference was unsteady: its repeats ranged from 5,317.0 to 9,270.0 samples/s (x1.74)",
            table, StringComparison.Ordinal);
        Assert.DoesNotContain("per-example on reference was unsteady", table, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGemmTableWarnsOfAnUnsteadyProduct()
    {
        string table = BenchReport.GemmTable([new GemmResult("reference", 64, 10, [8, 10, 12], 30, Quiet)], Peaks, 3);
        Assert.Matches(@"(?m)^64³ +reference +10\.0 +10\.0% +1\.50 +- +0\.01 +1\.00-1\.00$", table);
        Assert.Contains("warning: the 64³ SGEMM on reference was unsteady: its repeats ranged from 8.0 to 12.0 GFLOP/s (x1.50)",
            table, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonCarriesTheSpreadAndWhetherItWasUnsteady()
    {
        using JsonDocument doc = JsonDocument.Parse(BenchReport.Json([Result("tanh-64", [80, 100]), Result("per-example", [100, 101])], Peaks));
        JsonElement[] results = [.. doc.RootElement.GetProperty("results").EnumerateArray()];
        Assert.Equal(1.25, results[0].GetProperty("repeat_spread").GetDouble(), 12);
        Assert.True(results[0].GetProperty("unsteady").GetBoolean());
        Assert.Equal(1.01, results[1].GetProperty("repeat_spread").GetDouble(), 12);
        Assert.False(results[1].GetProperty("unsteady").GetBoolean());
    }

    private static WorkloadResult Result(string workload, double[] repeats)
    {
        var memory = new WorkloadMemory(new MemoryBreakdown(1, 1, 0, 1, 1, 1, 0), true, 1 << 20, null, "not measured here");
        return new WorkloadResult(Workload.Named.Single(w => w.Name == workload), "reference", WorkloadTimer.Median(repeats),
            repeats, 10, 1, memory, null, null, 0, Quiet);
    }
}
