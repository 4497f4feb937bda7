using System.Globalization;
using System.Text.Json;
using FastNet.Benchmarking;
using FastNet.Kernels.Cpu;

namespace FastNet.Cli.Reporting;

/// <summary>
/// How <c>fastnet bench</c> shows the load latency probed during each measurement (<see cref="LoadLatencies"/>): a
/// table column, a warning line for each measurement that ran in one of the machine's slow stretches, and the same in
/// JSON. Slow is judged against the lowest latency the same run measured, so a run spent wholly in a slow stretch
/// warns of nothing; the header's start probe and the fresh-process table show that case.
/// </summary>
internal static class LatencyReport
{
    /// <summary>The column's header.</summary>
    public static string Header => $" {"load ns",7}";

    /// <summary>A row's column: the median probe, "-" where none was taken.</summary>
    public static string Column(LoadLatencies? latencies) => $" {Text(latencies?.Median),7}";

    /// <summary>Nanoseconds as the tables print them, "-" for none.</summary>
    public static string Text(double? nanoseconds) =>
        nanoseconds is double ns ? ns.ToString("F2", CultureInfo.InvariantCulture) : "-";

    /// <summary>The lowest latency a run measured: its start probe, if taken, and each measurement's median.</summary>
    public static double? Lowest(LoadLatency? start, IEnumerable<LoadLatencies?> measured)
    {
        IEnumerable<double> all = measured.OfType<LoadLatencies>().Select(l => l.Median);
        if (start is LoadLatency s)
        {
            all = all.Append(s.Nanoseconds);
        }
        return all.Any() ? all.Min() : null;
    }

    /// <summary>Where any measurement was probed: the column explained (<paramref name="probed"/> says when the probes
    /// were taken), then one warning line per measurement whose latency stands more than
    /// <see cref="LoadLatencies.SlowAbove"/> above <paramref name="lowest"/>. <paramref name="measured"/> pairs what was
    /// measured ("per-example on simd") with its latency.</summary>
    public static IEnumerable<string> Notes(IEnumerable<(string What, LoadLatencies? Latencies)> measured, double? lowest,
        string probed = "after each timed repeat (median)")
    {
        var list = measured.ToList();
        if (list.All(m => m.Latencies is null))
        {
            yield break;
        }
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c,
            $"  load ns = the load latency (chained loads through {CacheLatency.Bytes / 1024} KiB) probed {probed}; slow = more than {100 * LoadLatencies.SlowAbove:F0}% above the lowest this run measured");
        if (lowest is not double low)
        {
            yield break;
        }
        foreach ((string what, LoadLatencies? latencies) in list)
        {
            if (latencies is not null && latencies.SlowAgainst(low))
            {
                yield return string.Create(c,
                    $"warning: loads were slow during {what}: {latencies.Median:F2} ns a load against {low:F2} at this run's lowest (+{100 * (latencies.Median / low - 1):F0}%, slow above +{100 * LoadLatencies.SlowAbove:F0}%): the machine's slow stretches raise it and the rates that wait on loads fall in them, so its figures may be low");
            }
        }
    }

    /// <summary>Writes <c>"load_latency_ns"</c> (the median), <c>"load_latencies_ns"</c> (each repeat's) and
    /// <c>"loads_slow"</c> (against <paramref name="lowest"/>), where the latency was probed.</summary>
    public static void Write(Utf8JsonWriter w, LoadLatencies? latencies, double? lowest)
    {
        if (latencies is null)
        {
            return;
        }
        w.WriteNumber("load_latency_ns", latencies.Median);
        w.WriteStartArray("load_latencies_ns");
        foreach (double ns in latencies.PerRepeat)
        {
            w.WriteNumberValue(ns);
        }
        w.WriteEndArray();
        w.WriteBoolean("loads_slow", lowest is double low && latencies.SlowAgainst(low));
    }
}
