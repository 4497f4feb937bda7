using FastNet.Benchmarking;
using FastNet.Kernels;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>
/// The load latency probed after each timed repeat: one probe per repeat, in order, outside the counted allocations,
/// and the rule that calls a measurement slow (its median more than <see cref="LoadLatencies.SlowAbove"/> above the
/// lowest of the run).
/// </summary>
public class LoadLatencyProbeTests
{
    private static readonly Workload Small = new("custom", [20, 16, 4], Activation.Sigmoid, LossKind.HalfSquaredError,
        OptimizerKind.Sgd, 8);

    [Fact]
    public void EachRepeatGetsOneProbeInOrder()
    {
        var probe = new ScriptedLatencyProbe(5.0, 6.0, 5.5);
        using IBackend backend = Backends.Create("reference");
        WorkloadResult result = WorkloadTimer.Run(backend, Small, repeats: 3, secondsPerRepeat: 0.01, latency: probe);
        Assert.Equal(3, probe.Reads);
        Assert.Equal([5.0, 6.0, 5.5], result.Latencies!.PerRepeat);
        Assert.Equal(5.5, result.Latencies.Median);

        GemmResult product = GemmTimer.Run(backend, 8, repeats: 2, secondsPerRepeat: 0.01,
            latency: new ScriptedLatencyProbe(4.0, 7.0));
        Assert.Equal([4.0, 7.0], product.Latencies!.PerRepeat);
        Assert.Null(GemmTimer.Run(backend, 8, repeats: 1, secondsPerRepeat: 0.01).Latencies);
    }

    [Fact]
    public void TheMachinesOwnProbeReadsALatencyPerRepeatBesideAStepAtZeroBytes()
    {
        // the simd backend allocates nothing per step (AllocationTests), and still reads so with the machine's own
        // probe taken between the repeats whose allocations are counted; that the probe itself allocates nothing is
        // CacheLatencyTests' (the counting's cleanest window would hide a small one-off here)
        using var probe = new CacheLatencyProbe();
        using IBackend backend = Backends.Create("simd");
        WorkloadResult result = WorkloadTimer.Run(backend, Small, repeats: 3, secondsPerRepeat: 0.02, latency: probe);
        Assert.Equal(0, result.AllocatedBytesPerStep);
        Assert.All(result.Latencies!.PerRepeat, ns => Assert.True(double.IsFinite(ns) && ns > 0, $"{ns} ns a load"));
    }

    [Theory]
    [InlineData(new[] { 5.6, 5.5, 5.7 }, 5.0, true)] // +12%
    [InlineData(new[] { 5.4, 9.0, 5.3 }, 5.0, false)] // one slow probe: the median is +8%
    [InlineData(new[] { 5.0 }, 5.0, false)]
    public void AMeasurementIsSlowWhenItsMedianStandsMoreThanTenPercentAboveTheLowest(double[] probes, double lowest,
        bool slow) =>
        Assert.Equal(slow, new LoadLatencies(probes).SlowAgainst(lowest));
}
