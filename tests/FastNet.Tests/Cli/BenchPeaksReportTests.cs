using System.Text.Json;
using FastNet.Benchmarking;
using FastNet.Cli.Reporting;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// <c>fastnet bench</c> sets its rates against threads × the one-thread FMA peak, and says beside it what all the
/// threads reached probing at once: where cores slow each other down, that is the most a kernel on all of them can do.
/// </summary>
public class BenchPeaksReportTests
{
    private static readonly MachineLoad Quiet = new(1, 1, 0.01, 3, null);

    [Fact]
    public void TheHeaderGivesTheAssumedPeakAndWhatAllThreadsReachedAtOnce()
    {
        var peaks = new FmaPeaks(225, 2, 396);
        Assert.Equal(450, peaks.Assumed);
        string table = BenchReport.GemmTable([new GemmResult("simd", 64, 360, [360], 30, Quiet)], peaks, 1);
        Assert.StartsWith("FP32 FMA peak measured here: 450.0 GFLOP/s (2 threads x the one-thread peak; "
            + "all 2 at once: 396.0, 88% of it); medians of 1 repeats", table, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^64³ +simd +360\.0 +80\.0% ", table);
    }

    [Fact]
    public void OneThreadHasNothingToProbeAtOnce() =>
        Assert.Equal("FP32 FMA peak measured here: 200.0 GFLOP/s (1 threads x the one-thread peak); medians of 3 repeats",
            new FmaPeaks(200, 1, 199).Header(3));

    [Fact]
    public void TheLoadLatencyFollowsThePeaksLineWhereItWasMeasured()
    {
        var peaks = new FmaPeaks(225, 2, 396);
        GemmResult[] products = [new GemmResult("simd", 64, 360, [360], 30, Quiet)];
        string[] lines = BenchReport.GemmTable(products, peaks, 1, new LoadLatency(5.04)).Split('\n');
        Assert.StartsWith("FP32 FMA peak measured here: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("load latency measured here: 5.04 ns a load, chained through 512 KiB in a random order",
            lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("load latency", BenchReport.GemmTable(products, peaks, 1), StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(BenchReport.GemmJson(products, peaks, new LoadLatency(5.04)));
        Assert.Equal(5.04, doc.RootElement.GetProperty("load_latency_ns").GetDouble());
    }

    [Fact]
    public void JsonCarriesBothPeaks()
    {
        using JsonDocument doc = JsonDocument.Parse(BenchReport.GemmJson(
            [new GemmResult("simd", 64, 360, [360], 30, Quiet)], new FmaPeaks(225, 2, 396)));
        Assert.Equal(450, doc.RootElement.GetProperty("peak_gflops").GetDouble());
        Assert.Equal(2, doc.RootElement.GetProperty("threads").GetInt32());
        Assert.Equal(396, doc.RootElement.GetProperty("peak_all_threads_at_once_gflops").GetDouble());
        Assert.Equal(80, doc.RootElement.GetProperty("sgemm")[0].GetProperty("percent_of_peak").GetDouble(), 12);
    }

    // the peak is this CPU's: a device backend's workload rate is no share of it, in the table or the JSON
    [Fact]
    public void ADeviceWorkloadHasNoShareOfTheCpusPeak()
    {
        var memory = new WorkloadMemory(new MemoryBreakdown(1, 1, 0, 1, 1, 1, 0), false, 1 << 20, null, "not measured");
        var workload = new Workload("custom", [4, 3], FastNet.Kernels.Activation.Relu, FastNet.Kernels.LossKind.SoftmaxCrossEntropy,
            FastNet.Kernels.OptimizerKind.Sgd, 8);
        WorkloadResult[] results =
        [
            new(workload, "simd", 1000, [1000], 10, 40, memory, null, null, 0, Quiet),
            new(workload, "gpu", 1000, [1000], 10, 40, memory, 4096, 7, 0, Quiet),
        ];
        var peaks = new FmaPeaks(200, 2, 380);

        string[] rows = BenchReport.Table(results, peaks, 1).Split('\n');
        using JsonDocument doc = JsonDocument.Parse(BenchReport.Json(results, peaks));

        Assert.Contains(" 10.0%", rows.First(l => l.StartsWith("custom               simd", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Matches(@"^custom\s+gpu\s+1,000\s+40\.0\s+-\s", rows.First(l => l.StartsWith("custom               gpu", StringComparison.Ordinal)));
        JsonElement[] json = [.. doc.RootElement.GetProperty("results").EnumerateArray()];
        Assert.Equal(10.0, json[0].GetProperty("percent_of_peak").GetDouble(), 9);
        Assert.False(json[1].TryGetProperty("percent_of_peak", out _));
    }
}
