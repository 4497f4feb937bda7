using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FastNet.Benchmarking;
using FastNet.Kernels;
using FastNet.Kernels.Cpu;
using FastNet.Kernels.Gpu;

namespace FastNet.Cli.Commands;

/// <summary>
/// <c>fastnet bench</c>: times whole training steps of named or custom workloads on the chosen backends, side by side
/// in one process, and prints samples/s, GFLOP/s, % of this machine's measured FP32 peak and memory.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var workloads = new Option<string>("--workload")
        {
            Description = "comma-separated names, or 'all': " + string.Join(", ", Workload.Named.Select(w => w.Name)),
            DefaultValueFactory = _ => "per-example,sigmoid-64",
        };
        var layers = new Option<string?>("--layers") { Description = "a custom workload's sizes, input to output, e.g. 784,256,10" };
        var batch = new Option<int>("--batch") { Description = "the custom workload's batch", DefaultValueFactory = _ => 64 };
        var activation = new Option<string>("--activation") { Description = "the custom workload's hidden units", DefaultValueFactory = _ => "relu" };
        var loss = new Option<string>("--loss") { Description = "the custom workload's loss", DefaultValueFactory = _ => "cross-entropy" };
        var optimizer = new Option<string>("--optimizer") { Description = "the custom workload's optimizer", DefaultValueFactory = _ => "sgd" };
        var backends = new Option<string?>("--backend") { Description = "comma-separated backends (default: every available one but the reference, which is slow)" };
        var repeats = new Option<int>("--repeats") { Description = "timed repeats; the median is reported", DefaultValueFactory = _ => 5 };
        var seconds = new Option<double>("--seconds") { Description = "minimum duration of each repeat", DefaultValueFactory = _ => 0.5 };
        var json = new Option<bool>("--json") { Description = "print the results as JSON instead of a table" };
        var command = new Command("bench", "Time training steps per backend: samples/s, GFLOP/s, % of peak, memory")
        {
            workloads, layers, batch, activation, loss, optimizer, backends, repeats, seconds, json,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            List<Workload> chosen = parse.GetValue(layers) is string sizes
                ? [new Workload("custom", ParseSizes(sizes), Names.ParseActivation(parse.GetValue(activation)!),
                    Names.ParseLoss(parse.GetValue(loss)!), Names.ParseOptimizer(parse.GetValue(optimizer)!), parse.GetValue(batch))]
                : Choose(parse.GetValue(workloads)!);
            string[] names = parse.GetValue(backends) is string list
                ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : DefaultBackends();
            int r = parse.GetValue(repeats);
            double s = parse.GetValue(seconds);
            if (r <= 0 || s <= 0 || chosen.Any(w => w.Batch <= 0))
            {
                throw new ArgumentException("--repeats, --seconds and --batch must be positive");
            }
            int threads = Environment.ProcessorCount;
            // threads × the one-thread peak: a probe on all threads would read low whenever another process holds a core
            double peak = threads * FmaPeak.Measure(1);
            var results = new List<WorkloadResult>();
            foreach (Workload workload in chosen)
            {
                foreach (string name in names)
                {
                    using IBackend backend = BackendRegistry.Create(name);
                    results.Add(WorkloadTimer.Run(backend, workload, r, s, b => b is GpuBackend gpu ? gpu.DeviceBytesInUse : null));
                }
            }
            output.WriteLine(parse.GetValue(json) ? Json(results, peak, threads) : Table(results, peak, threads, r));
            return 0;
        }));
        return command;
    }

    private static string[] DefaultBackends()
    {
        string[] fast = [.. BackendRegistry.Available.Select(d => d.Name).Where(n => n != "reference")];
        return fast.Length > 0 ? fast : ["reference"];
    }

    private static List<Workload> Choose(string text)
    {
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return [.. Workload.Named];
        }
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name =>
            Workload.Named.FirstOrDefault(w => w.Name == name)
            ?? throw new ArgumentException(
                $"--workload: unknown workload '{name}'; expected one of: all, {string.Join(", ", Workload.Named.Select(w => w.Name))}"))];
    }

    private static int[] ParseSizes(string text)
    {
        int[] sizes = TrainingPlan.ParseLayers(text);
        return sizes.Length >= 2 ? sizes : throw new FormatException("--layers: give at least the input and output sizes");
    }

    private static string Table(List<WorkloadResult> results, double peak, int threads, int repeats)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.AppendLine(string.Create(c, $"FP32 FMA peak measured here: {peak:F1} GFLOP/s ({threads} threads x the one-thread peak); medians of {repeats} repeats"));
        text.AppendLine(string.Create(c,
            $"{"workload",-20} {"backend",-10} {"samples/s",12} {"GFLOP/s",9} {"% peak",7} {"model MiB",10} {"peak RSS MiB",13} {"device MiB",11}"));
        foreach (WorkloadResult r in results)
        {
            text.AppendLine(string.Create(c,
                $"{r.Workload.Name,-20} {r.Backend,-10} {r.SamplesPerSecond,12:N0} {r.GflopsPerSecond,9:F1} {100 * r.GflopsPerSecond / peak,6:F1}% {r.ModelBytes / 1048576.0,10:F1} {r.PeakWorkingSetBytes / 1048576.0,13:F0} {(r.DeviceBytes is long d ? (d / 1048576.0).ToString("F1", c) : "-"),11}"));
        }
        foreach (Workload w in results.Select(r => r.Workload).Distinct())
        {
            text.AppendLine($"  {w.Name}: {w.Describe()}");
        }
        return text.ToString().TrimEnd();
    }

    private static string Json(List<WorkloadResult> results, double peak, int threads)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("peak_gflops", peak);
            w.WriteNumber("threads", threads);
            w.WriteStartArray("results");
            foreach (WorkloadResult r in results)
            {
                w.WriteStartObject();
                w.WriteString("workload", r.Workload.Name);
                w.WriteString("description", r.Workload.Describe());
                w.WriteString("backend", r.Backend);
                w.WriteNumber("samples_per_second", r.SamplesPerSecond);
                w.WriteStartArray("repeats");
                foreach (double v in r.Repeats)
                {
                    w.WriteNumberValue(v);
                }
                w.WriteEndArray();
                w.WriteNumber("steps", r.Steps);
                w.WriteNumber("gflops", r.GflopsPerSecond);
                w.WriteNumber("percent_of_peak", 100 * r.GflopsPerSecond / peak);
                w.WriteNumber("model_bytes", r.ModelBytes);
                w.WriteNumber("peak_working_set_bytes", r.PeakWorkingSetBytes);
                if (r.DeviceBytes is long device)
                {
                    w.WriteNumber("device_bytes", device);
                }
                w.WriteString("math_mode", Checkpoints.Checkpoint.ExactMathMode);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
