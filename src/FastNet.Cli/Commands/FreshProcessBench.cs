using System.Globalization;
using System.Text.Json;
using FastNet.Benchmarking;
using FastNet.Cli.Reporting;

namespace FastNet.Cli.Commands;

/// <summary>
/// <c>fastnet bench --fresh-processes N</c>: the same measurement in N new processes, one after another, each with its
/// own memory layout, compiled code and thread placement, so a difference between processes shows as a spread that
/// the repeats inside one process cannot show. Each process prints JSON; this collects the rate of every workload (or
/// SGEMM) and backend, with the FMA peak that process measured, the rate's share of it, the load latency and load
/// during its measurement, and reports median, min, max and max/min, with a warning for each process that ran in one of
/// the machine's slow stretches (its load latency well above the lowest of the processes).
/// </summary>
internal static class FreshProcessBench
{
    /// <summary>The most processes <c>--fresh-processes</c> starts. They run one after another and the table comes
    /// only when the last has ended, each taking at least the runtime's start and its FMA peak's measurement: any
    /// count was taken, and a count in the millions ran for weeks without a line of output.</summary>
    public const int MaxProcesses = 1000;

    /// <summary>Runs <c>fastnet <paramref name="childArgs"/> --json</c> <paramref name="processes"/> times through
    /// <paramref name="runner"/> and writes the table to <paramref name="output"/>.</summary>
    public static int Run(IFastNetRunner runner, IReadOnlyList<string> childArgs, int processes, TextWriter output)
    {
        var rates = new List<(string Key, string Unit, double Rate, double[] Repeats, Peak Peak, int Process,
            MachineLoad Load, LoadLatencies? Latencies)>();
        for (int p = 1; p <= processes; p++)
        {
            (int exit, string json, string error) = runner.Run([.. childArgs, "--json"]);
            if (exit != 0)
            {
                // the child's own one-line error says why: an error of the command, not a crash of this process
                throw new ArgumentException($"--fresh-processes: process {p} of {processes} failed (exit {exit}): {error.Trim()}");
            }
            using JsonDocument doc = JsonDocument.Parse(json);
            rates.AddRange(Rates(doc.RootElement).Select(r => (r.Key, r.Unit, r.Rate, r.Repeats, r.Peak, p, r.Load,
                r.Latencies)));
        }

        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c,
            $"{processes} fresh processes, one after another: fastnet {string.Join(' ', childArgs)}"));
        foreach (var group in rates.GroupBy(r => r.Key))
        {
            string unit = group.First().Unit;
            output.WriteLine();
            output.WriteLine($"{group.Key}: {unit} per process");
            output.WriteLine($"{"process",7} {unit,12} {"peak",7} {"% peak",6}" + LatencyReport.Header + SpreadReport.Header
                + LoadReport.Header);
            foreach (var r in group)
            {
                output.WriteLine(
                    string.Create(c, $"{r.Process,7} {r.Rate,12:N1} {r.Peak.Gflops,7:F1} {Percent(r.Peak),6}")
                    + LatencyReport.Column(r.Latencies) + SpreadReport.Column(r.Repeats) + LoadReport.Columns(r.Load));
            }
            double[] values = [.. group.Select(r => r.Rate)];
            double min = values.Min(), max = values.Max();
            output.WriteLine(string.Create(c,
                $"spread over {values.Length} processes: median {WorkloadTimer.Median(values):N1}, min {min:N1}, max {max:N1}, max/min {max / min:F2}"));
            double[] shares = [.. group.Where(r => r.Peak.Percent is not null).Select(r => r.Peak.Percent!.Value)];
            if (shares.Length > 0)
            {
                output.WriteLine(string.Create(c,
                    $"share of each process's own FMA peak: median {WorkloadTimer.Median(shares):F1}%, min {shares.Min():F1}%, max {shares.Max():F1}%"));
            }
            output.WriteLine("  peak = the FP32 FMA peak the process measured (GFLOP/s, its threads x its one-thread "
                + "peak); % peak = the rate's GFLOP/s over it");
            // a process unsteady within itself shows the machine changing speed, not a difference between processes
            foreach (string line in SpreadReport.Notes(group.Select(r => ($"process {r.Process}", (IReadOnlyList<double>)r.Repeats)), unit))
            {
                output.WriteLine(line);
            }
            // the lowest of all the processes: a process whose loads were slower than the others' ran in a slow stretch
            foreach (string line in LatencyReport.Notes(group.Select(r => ($"process {r.Process}", r.Latencies)),
                LatencyReport.Lowest(null, group.Select(r => r.Latencies)), "after each timed repeat of the process (median)"))
            {
                output.WriteLine(line);
            }
            foreach (string line in LoadReport.Notes(group.Select(r => ($"process {r.Process}", r.Load))))
            {
                output.WriteLine(line);
            }
        }
        return 0;
    }

    // (workload/backend, unit, rate, repeats, peak, load, load latencies) of each result in one process's JSON: training
    // workloads or SGEMMs
    private static IEnumerable<(string Key, string Unit, double Rate, double[] Repeats, Peak Peak, MachineLoad Load,
        LoadLatencies? Latencies)> Rates(JsonElement root)
    {
        double peak = root.GetProperty("peak_gflops").GetDouble();
        if (root.TryGetProperty("results", out JsonElement results))
        {
            foreach (JsonElement r in results.EnumerateArray())
            {
                yield return ($"{r.GetProperty("workload").GetString()} on {r.GetProperty("backend").GetString()}",
                    "samples/s", r.GetProperty("samples_per_second").GetDouble(), Repeats(r), PeakOf(peak, r),
                    Load(r.GetProperty("load")), Latencies(r));
            }
        }
        if (root.TryGetProperty("sgemm", out JsonElement products))
        {
            foreach (JsonElement r in products.EnumerateArray())
            {
                yield return ($"sgemm {r.GetProperty("size").GetInt32()}³ on {r.GetProperty("backend").GetString()}",
                    "GFLOP/s", r.GetProperty("gflops").GetDouble(), Repeats(r), PeakOf(peak, r),
                    Load(r.GetProperty("load")), Latencies(r));
            }
        }
    }

    // the process's CPU peak, and the result's share of it (absent for a device, which the CPU peak does not bound)
    private readonly record struct Peak(double Gflops, double? Percent);

    private static Peak PeakOf(double peak, JsonElement result) =>
        new(peak, result.TryGetProperty("percent_of_peak", out JsonElement p) ? p.GetDouble() : null);

    private static string Percent(Peak peak) =>
        peak.Percent is double p ? p.ToString("F1", CultureInfo.InvariantCulture) + "%" : "—";

    private static double[] Repeats(JsonElement result) =>
        [.. result.GetProperty("repeats").EnumerateArray().Select(v => v.GetDouble())];

    private static LoadLatencies? Latencies(JsonElement result) =>
        result.TryGetProperty("load_latencies_ns", out JsonElement probes)
            ? new LoadLatencies([.. probes.EnumerateArray().Select(v => v.GetDouble())])
            : null;

    private static MachineLoad Load(JsonElement load) => new(
        Optional(load.GetProperty("load_average_start")), Optional(load.GetProperty("load_average_end")),
        Optional(load.GetProperty("other_processes_cores")), load.GetProperty("seconds").GetDouble(),
        load.TryGetProperty("unknown", out JsonElement reason) ? reason.GetString() : null);

    private static double? Optional(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
}
