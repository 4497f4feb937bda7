using System.Globalization;
using System.Text;
using System.Text.Json;
using FastNet.Benchmarking;
using FastNet.Distributed;

namespace FastNet.Cli.Reporting;

/// <summary>What <c>fastnet bench --data-parallel</c> prints on rank 0: a line of fields per workload and backend
/// with the machine's load last, then the load's notes; or the same as JSON.</summary>
internal static class DataParallelReport
{
    /// <summary>"NAME BACKEND ranks N threads T samples/s … gradient_bytes B allreduce M others C loadavg A-B
    /// bytes_per_step S": names and values in turn, in an order scripts read by position (benchmarks/scale-out.sh),
    /// later fields added at the end.</summary>
    public static string Line(DataParallelResult d) => string.Create(CultureInfo.InvariantCulture,
        $"{d.Workload.Name} {d.Backend} ranks {d.Ranks} threads {d.Threads} samples/s {d.SamplesPerSecond:F1} "
        + $"step_ms {1e3 * d.SecondsPerStep:F3} allreduce_ms {1e3 * d.AllReduceSecondsPerStep:F3} "
        + $"allreduce_share {d.AllReduceSecondsPerStep / d.SecondsPerStep:F4} gradient_bytes {d.GradientBytes} "
        + $"allreduce {AllReduceName(d)} others {LoadReport.Others(d.Load)} loadavg {LoadReport.Average(d.Load)} "
        + $"bytes_per_step {d.AllocatedBytesPerStep:F0}");

    // "none" on one rank, where the gradient does not travel
    private static string AllReduceName(DataParallelResult d) => d.AllReduce is { } m ? GradientAllReduceNames.Of(m) : "none";

    /// <summary>The load's notes: what the two load fields mean, a warning per busy measurement, why a load is
    /// unknown.</summary>
    public static IEnumerable<string> Notes(IEnumerable<DataParallelResult> results) =>
        LoadReport.Notes(results.Select(d => ($"{d.Workload.Name} on {d.Backend}{(d.Ranks > 1 ? $" with {d.Ranks} ranks" : "")}", d.Load)),
            "the timed epochs", "the processor time of every rank on rank 0's machine");

    /// <summary>The results as one JSON object: <c>{"data_parallel": [...]}</c>.</summary>
    public static string Json(IEnumerable<DataParallelResult> results)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("data_parallel");
            foreach (DataParallelResult d in results)
            {
                w.WriteStartObject();
                w.WriteString("workload", d.Workload.Name);
                w.WriteString("description", d.Workload.Describe());
                w.WriteString("backend", d.Backend);
                w.WriteNumber("ranks", d.Ranks);
                w.WriteNumber("threads", d.Threads);
                w.WriteNumber("samples_per_second", d.SamplesPerSecond);
                w.WriteNumber("seconds_per_step", d.SecondsPerStep);
                w.WriteNumber("all_reduce_seconds_per_step", d.AllReduceSecondsPerStep);
                w.WriteNumber("gradient_bytes", d.GradientBytes);
                w.WriteString("all_reduce", AllReduceName(d));
                w.WriteNumber("allocated_bytes_per_step", d.AllocatedBytesPerStep);
                LoadReport.Write(w, d.Load);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
