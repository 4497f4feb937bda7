using System.Globalization;
using System.Text;
using System.Text.Json;
using FastNet.Benchmarking;

namespace FastNet.Cli.Reporting;

/// <summary>What <c>fastnet bench</c> prints: a table of speed and memory per workload and backend, the memory
/// itemised, or the same as JSON.</summary>
internal static class BenchReport
{
    private const double MiB = 1 << 20;

    /// <param name="results">One per workload and backend.</param>
    /// <param name="peaks">The machine's FP32 FMA peaks; "% peak" is of <see cref="FmaPeaks.Assumed"/>.</param>
    /// <param name="repeats">Timed repeats per result.</param>
    /// <param name="latency">The load latency measured at the start, if it was.</param>
    public static string Table(IReadOnlyList<WorkloadResult> results, FmaPeaks peaks, int repeats,
        LoadLatency? latency = null)
    {
        var c = CultureInfo.InvariantCulture;
        bool anyDevice = results.Any(r => r.DeviceBytes is not null);
        var text = new StringBuilder();
        AppendHeader(text, peaks, repeats, latency);
        text.AppendLine(string.Create(c,
            $"{"workload",-20} {"backend",-10} {"samples/s",12} {"GFLOP/s",9} {"% peak",7} {"computed",9} {"baseline",9} {"peak RSS",9} {"diff",7} {"B/step",7}")
            + (anyDevice ? $" {"device",8} {"launches",8}" : "") + SpreadReport.Header + LatencyReport.Header
            + LoadReport.Header);
        foreach (WorkloadResult r in results)
        {
            WorkloadMemory m = r.Memory;
            // the peak is this CPU's: a device's rate has none to be a share of
            string percent = IsHost(r.Backend) ? string.Create(c, $"{100 * r.GflopsPerSecond / peaks.Assumed,6:F1}%") : "-";
            text.AppendLine(string.Create(c,
                $"{r.Workload.Name,-20} {r.Backend,-10} {r.SamplesPerSecond,12:N0} {r.GflopsPerSecond,9:F1} {percent,7} {m.Computed.Total / MiB,9:F1} {m.BaselineBytes / MiB,9:F1} {Optional(m.PeakBytes),9} {Optional(m.DifferenceBytes),7} {r.AllocatedBytesPerStep,7:F0}")
                + (anyDevice ? $" {Optional(r.DeviceBytes),8} {(r.LaunchesPerStep is long l ? l.ToString(c) : "-"),8}" : "")
                + SpreadReport.Column(r.Repeats) + LatencyReport.Column(r.Latencies) + LoadReport.Columns(r.Load));
        }
        text.AppendLine("memory in MiB: computed = what the workload allocates (itemised below), baseline = resident before it,");
        text.AppendLine("  peak RSS = the most resident during it, diff = peak RSS - baseline - computed: the runtime's own;");
        text.AppendLine("  B/step = managed bytes one training step allocates, its backend's worker threads included (0 when nothing is allocated per step)");
        if (anyDevice)
        {
            text.AppendLine("  a device backend's computed memory is on the device (column device), so its diff leaves it out;");
            text.AppendLine("  launches = kernels one training step launches on the device");
        }
        foreach (string reason in results.Select(r => r.Memory.PeakUnavailable).OfType<string>().Distinct())
        {
            text.AppendLine($"no peak RSS per workload: {reason}");
        }
        foreach (string line in SpreadReport.Notes(results.Select(r => ($"{r.Workload.Name} on {r.Backend}", (IReadOnlyList<double>)r.Repeats)), "samples/s"))
        {
            text.AppendLine(line);
        }
        foreach (string line in LatencyReport.Notes(results.Select(r => ($"{r.Workload.Name} on {r.Backend}", r.Latencies)),
            LatencyReport.Lowest(latency, results.Select(r => r.Latencies))))
        {
            text.AppendLine(line);
        }
        foreach (string line in LoadReport.Notes(results.Select(r => ($"{r.Workload.Name} on {r.Backend}", r.Load))))
        {
            text.AppendLine(line);
        }

        text.AppendLine();
        text.AppendLine(string.Create(c,
            $"{"computed MiB",-20} {"backend",-10} {"parameters",10} {"gradients",10} {"optimizer",10} {"act+deltas",10} {"batch",8} {"dataset",8} {"scratch",8}"));
        foreach (WorkloadResult r in results)
        {
            MemoryBreakdown b = r.Memory.Computed;
            text.AppendLine(string.Create(c,
                $"{r.Workload.Name,-20} {r.Backend,-10} {b.Parameters / MiB,10:F1} {b.Gradients / MiB,10:F1} {b.OptimizerState / MiB,10:F1} {b.ActivationsAndDeltas / MiB,10:F1} {b.Batch / MiB,8:F1} {b.Dataset / MiB,8:F1} {b.Scratch / MiB,8:F1}"));
        }
        foreach (Workload w in results.Select(r => r.Workload).Distinct())
        {
            text.AppendLine($"  {w.Name}: {w.Describe()}");
        }
        if (results.Any(r => r.Workload.Accumulate > 1))
        {
            text.AppendLine("  /kK: each step as K micro-batches (train --accumulate K): activations, deltas, batch and scratch");
            text.AppendLine("  are sized for batch/K rows; the gradients hold one more copy, for the sum");
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>The results as one JSON object, memory in bytes.</summary>
    public static string Json(IReadOnlyList<WorkloadResult> results, FmaPeaks peaks, LoadLatency? latency = null)
    {
        double? lowest = LatencyReport.Lowest(latency, results.Select(r => r.Latencies));
        return Document(peaks, latency, "results", w =>
        {
            foreach (WorkloadResult r in results)
            {
                w.WriteStartObject();
                w.WriteString("workload", r.Workload.Name);
                w.WriteString("description", r.Workload.Describe());
                w.WriteString("backend", r.Backend);
                w.WriteNumber("batch", r.Workload.Batch);
                w.WriteNumber("accumulate", r.Workload.Accumulate);
                w.WriteNumber("micro_batch", r.Workload.MicroBatch);
                w.WriteNumber("samples_per_second", r.SamplesPerSecond);
                WriteNumbers(w, "repeats", r.Repeats);
                SpreadReport.Write(w, r.Repeats);
                w.WriteNumber("steps", r.Steps);
                w.WriteNumber("gflops", r.GflopsPerSecond);
                if (IsHost(r.Backend))
                {
                    w.WriteNumber("percent_of_peak", 100 * r.GflopsPerSecond / peaks.Assumed);
                }
                WriteMemory(w, r.Memory);
                w.WriteNumber("allocated_bytes_per_step", r.AllocatedBytesPerStep);
                LatencyReport.Write(w, r.Latencies, lowest);
                LoadReport.Write(w, r.Load);
                if (r.DeviceBytes is long device)
                {
                    w.WriteNumber("device_bytes", device);
                }
                if (r.LaunchesPerStep is long launches)
                {
                    w.WriteNumber("launches_per_step", launches);
                }
                w.WriteString("math_mode", Checkpoints.Checkpoint.ExactMathMode);
                w.WriteEndObject();
            }
        });
    }

    /// <summary>SGEMM rates per backend; % of peak only for host backends (the peak is this CPU's).</summary>
    public static string GemmTable(IReadOnlyList<GemmResult> results, FmaPeaks peaks, int repeats,
        LoadLatency? latency = null)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        AppendHeader(text, peaks, repeats, latency);
        text.AppendLine($"{"sgemm",-12} {"backend",-10} {"GFLOP/s",10} {"% peak",7}" + SpreadReport.Header
            + LatencyReport.Header + LoadReport.Header);
        foreach (GemmResult r in results)
        {
            string percent = IsHost(r.Backend) ? string.Create(c, $"{100 * r.GflopsPerSecond / peaks.Assumed,6:F1}%") : "-";
            text.AppendLine(string.Create(c, $"{$"{r.Size}³",-12} {r.Backend,-10} {r.GflopsPerSecond,10:F1} {percent,7}")
                + SpreadReport.Column(r.Repeats) + LatencyReport.Column(r.Latencies) + LoadReport.Columns(r.Load));
        }
        foreach (string line in SpreadReport.Notes(results.Select(r => ($"the {r.Size}³ SGEMM on {r.Backend}", (IReadOnlyList<double>)r.Repeats)), "GFLOP/s"))
        {
            text.AppendLine(line);
        }
        foreach (string line in LatencyReport.Notes(results.Select(r => ($"the {r.Size}³ SGEMM on {r.Backend}", r.Latencies)),
            LatencyReport.Lowest(latency, results.Select(r => r.Latencies))))
        {
            text.AppendLine(line);
        }
        foreach (string line in LoadReport.Notes(results.Select(r => ($"the {r.Size}³ SGEMM on {r.Backend}", r.Load))))
        {
            text.AppendLine(line);
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>The SGEMM results as one JSON object.</summary>
    public static string GemmJson(IReadOnlyList<GemmResult> results, FmaPeaks peaks, LoadLatency? latency = null)
    {
        double? lowest = LatencyReport.Lowest(latency, results.Select(r => r.Latencies));
        return Document(peaks, latency, "sgemm", w =>
        {
            foreach (GemmResult r in results)
            {
                w.WriteStartObject();
                w.WriteString("backend", r.Backend);
                w.WriteNumber("size", r.Size);
                w.WriteNumber("gflops", r.GflopsPerSecond);
                WriteNumbers(w, "repeats", r.Repeats);
                SpreadReport.Write(w, r.Repeats);
                w.WriteNumber("calls", r.Calls);
                LatencyReport.Write(w, r.Latencies, lowest);
                LoadReport.Write(w, r.Load);
                if (IsHost(r.Backend))
                {
                    w.WriteNumber("percent_of_peak", 100 * r.GflopsPerSecond / peaks.Assumed);
                }
                w.WriteEndObject();
            }
        });
    }

    // the peaks' line, then the load latency's where it was measured
    private static void AppendHeader(StringBuilder text, FmaPeaks peaks, int repeats, LoadLatency? latency)
    {
        text.AppendLine(peaks.Header(repeats));
        if (latency is LoadLatency measured)
        {
            text.AppendLine(measured.Header);
        }
    }

    // {"peak_gflops": …, "threads": …, "peak_all_threads_at_once_gflops": …, "load_latency_ns": … (where measured),
    // "<array>": [what writeItems writes]}
    private static string Document(FmaPeaks peaks, LoadLatency? latency, string array, Action<Utf8JsonWriter> writeItems)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("peak_gflops", peaks.Assumed);
            w.WriteNumber("threads", peaks.Threads);
            w.WriteNumber("peak_all_threads_at_once_gflops", peaks.AllAtOnce);
            latency?.Write(w);
            w.WriteStartArray(array);
            writeItems(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteNumbers(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
        {
            w.WriteNumberValue(v);
        }
        w.WriteEndArray();
    }

    // the CPU backends, whose speed this machine's FMA peak bounds
    private static bool IsHost(string backend) => backend is "simd" or "reference";

    private static void WriteMemory(Utf8JsonWriter w, WorkloadMemory m)
    {
        w.WriteStartObject("memory");
        MemoryBreakdown b = m.Computed;
        w.WriteNumber("parameters_bytes", b.Parameters);
        w.WriteNumber("gradients_bytes", b.Gradients);
        w.WriteNumber("optimizer_state_bytes", b.OptimizerState);
        w.WriteNumber("activations_and_deltas_bytes", b.ActivationsAndDeltas);
        w.WriteNumber("batch_bytes", b.Batch);
        w.WriteNumber("dataset_bytes", b.Dataset);
        w.WriteNumber("scratch_bytes", b.Scratch);
        w.WriteNumber("computed_bytes", b.Total);
        w.WriteBoolean("computed_is_resident", m.ComputedIsResident);
        w.WriteNumber("baseline_bytes", m.BaselineBytes);
        w.WriteNumberOrNull("peak_bytes", m.PeakBytes);
        w.WriteNumberOrNull("difference_bytes", m.DifferenceBytes);
        if (m.PeakUnavailable is string reason)
        {
            w.WriteString("peak_unavailable", reason);
        }
        w.WriteEndObject();
    }

    private static string Optional(long? bytes) =>
        bytes is long b ? (b / MiB).ToString("F1", CultureInfo.InvariantCulture) : "-";
}
