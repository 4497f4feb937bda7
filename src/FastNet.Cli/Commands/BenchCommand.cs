using System.CommandLine;
using System.Globalization;
using FastNet.Benchmarking;
using FastNet.Cli.Reporting;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>
/// <c>fastnet bench</c>: times whole training steps of named or custom workloads on the chosen backends, side by side
/// in one process, and prints samples/s, GFLOP/s, % of this machine's measured FP32 peak and each workload's memory:
/// what it allocates, item by item, next to the resident memory before it and at its peak; and beside each
/// measurement the machine's load, with a warning when other processes made it unreliable.
/// </summary>
internal static class BenchCommand
{
    /// <summary>The command; <paramref name="load"/>, <paramref name="runner"/> and <paramref name="latency"/> replace
    /// the machine's /proc, the fresh processes and the load latency probe where a test needs to.</summary>
    public static Command Create(TextWriter output, TextWriter error, ILoadSampler? load = null, IFastNetRunner? runner = null,
        ILatencyProbe? latency = null)
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
        var accumulate = new Option<string>("--accumulate")
        {
            Description = "comma-separated numbers of micro-batches per step, e.g. 1,4,16: each workload is run once per "
                + "number, its batch taken as that many micro-batches (as train --accumulate does), to show memory falling with batch/K",
            DefaultValueFactory = _ => "1",
        };
        var backends = new Option<string?>("--backend") { Description = "comma-separated backends (default: every available one but the reference, which is slow)" };
        var repeats = new Option<int>("--repeats") { Description = $"timed repeats (1 to {RepeatCount.Max}); the median is reported", DefaultValueFactory = _ => 5 };
        var seconds = new Option<double>("--seconds")
        {
            Description = "minimum duration of each repeat",
            DefaultValueFactory = _ => 0.5,
            CustomParser = DecimalOption.Value,
        };
        var json = new Option<bool>("--json") { Description = "print the results as JSON instead of a table" };
        var gemm = new Option<int?>("--gemm") { Description = "time the backends' n×n SGEMM (GFLOP/s) instead of training workloads, e.g. 4096" };
        var dataParallel = new Option<bool>("--data-parallel")
        {
            Description = "time the trainer's data-parallel epochs on the ranks of the MPI job this runs in "
                + "(mpirun -np N fastnet bench --data-parallel; one process without mpirun): samples/s, all-reduce time per step "
                + "and the machine's load",
        };
        var allReduce = new Option<string>("--allreduce")
        {
            Description = "with --data-parallel on more than one rank: comma-separated ways the gradient travels, each "
                + "timed in turn: flat (one all-reduce a step) and layers (one per layer, started during the backward pass)",
            DefaultValueFactory = _ => "flat,layers",
        };
        var fresh = new Option<int?>("--fresh-processes")
        {
            Description = $"run the same measurement in N new processes of this program (1 to {FreshProcessBench.MaxProcesses}), one after another, and print each "
                + "process's rate, load and load latency, and their spread (median, min, max, max/min): differences between processes "
                + "(memory layout, compiled code, thread placement) show there and not between repeats",
        };
        var ops = new Option<bool>("--ops")
        {
            Description = "after each workload's timing, time its steps again with every op of a host backend timed on "
                + "its own, and print each kind of op's calls and µs per step, its share of the step and a dense op's "
                + "GFLOP/s and % of peak: where a step's time goes",
        };
        var command = new Command("bench", "Time training steps per backend: samples/s, GFLOP/s, % of peak, memory, and "
            + $"the machine's load during each measurement: other processes' CPU time (from /proc), with a warning when "
            + $"they took more than {MachineLoad.BusyCores} of a core on average (the figure is then unreliable); and the load "
            + "latency, which the machine's slow stretches raise while the FMA peak holds: measured at the start (under the FMA "
            + $"peak) and after each timed repeat, with a warning when a measurement's latency stood more than "
            + $"{100 * LoadLatencies.SlowAbove:F0}% above the lowest of the run")
        {
            workloads, layers, batch, activation, loss, optimizer, accumulate, backends, repeats, seconds, json, gemm, dataParallel,
            allReduce, fresh, ops,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            // an option given where it has no use is refused, not left out of the measurement without a word
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            if (parse.GetValue(layers) is null && new Option[] { batch, activation, loss, optimizer }.FirstOrDefault(Given) is { } misplaced)
            {
                throw new ArgumentException($"{misplaced.Name}: describes a custom workload, given with --layers");
            }
            if (Given(workloads) && parse.GetValue(layers) is not null)
            {
                throw new ArgumentException("--workload: names built-in workloads, and --layers times a custom one instead: give one of them");
            }
            if (Given(allReduce) && !parse.GetValue(dataParallel))
            {
                throw new ArgumentException("--allreduce: only with --data-parallel");
            }
            if (Given(accumulate) && parse.GetValue(gemm) is not null)
            {
                throw new ArgumentException("--accumulate: splits training workloads' batches, not --gemm's product");
            }
            // an operand is one buffer of n² floats: an n whose square overflows an int is refused before anything runs
            if (parse.GetValue(gemm) is int asked && (asked <= 0 || asked > GemmMemory.MaxSize))
            {
                throw new ArgumentException($"--gemm: expected a size from 1 to {GemmMemory.MaxSize}, found {asked}");
            }
            List<Workload> chosen = parse.GetValue(layers) is string sizes
                ? [new Workload("custom", ParseSizes(sizes), Names.ParseActivation(parse.GetValue(activation)!),
                    Names.ParseLoss(parse.GetValue(loss)!), Names.ParseOptimizer(parse.GetValue(optimizer)!), parse.GetValue(batch))]
                : Choose(parse.GetValue(workloads)!);
            int[] counts = ParseCounts(parse.GetValue(accumulate)!);
            string[] names = parse.GetValue(backends) is string list
                ? NameList.Backends(list)
                : DefaultBackends();
            int r = parse.GetValue(repeats);
            double s = parse.GetValue(seconds);
            // each repeat keeps its own figures, allocated up front: a count in the billions would exhaust memory
            if (r > RepeatCount.Max)
            {
                throw new ArgumentException($"--repeats: expected a number from 1 to {RepeatCount.Max}, found {r}");
            }
            // NaN passes no comparison and infinity never ends a repeat: the seconds must be a finite number
            if (r <= 0 || !(s > 0 && double.IsFinite(s)) || chosen.Any(w => w.Batch <= 0))
            {
                throw new ArgumentException("--repeats, --seconds and --batch must be positive (--seconds finite)");
            }
            chosen = [.. chosen.SelectMany(w => counts.Select(w.Accumulating))];
            bool byOp = parse.GetValue(ops);
            if (byOp && (parse.GetValue(fresh) is not null || parse.GetValue(dataParallel) || parse.GetValue(json)
                || parse.GetValue(gemm) is not null))
            {
                throw new ArgumentException("--ops: times training workloads in this process, as a table: not with "
                    + "--fresh-processes, --data-parallel, --json or --gemm");
            }
            // --gemm times the product alone: a workload asked for beside it, or data parallelism, which took precedence
            // and timed training in its place, was dropped without a word
            if (parse.GetValue(gemm) is not null
                && new Option[] { workloads, layers, dataParallel }.FirstOrDefault(Given) is { } beside)
            {
                throw new ArgumentException($"--gemm: times the backends' n×n product alone, not training: not with {beside.Name}");
            }
            if (parse.GetValue(fresh) is int processes)
            {
                if (processes <= 0 || parse.GetValue(dataParallel) || parse.GetValue(json))
                {
                    throw new ArgumentException("--fresh-processes: expected a positive number of processes, "
                        + "without --data-parallel or --json (it prints a table of the processes' own JSON)");
                }
                if (processes > FreshProcessBench.MaxProcesses)
                {
                    throw new ArgumentException($"--fresh-processes: expected a number from 1 to {FreshProcessBench.MaxProcesses}, "
                        + $"found {processes}");
                }
                List<string> again = ["bench", "--backend", string.Join(',', names), "--repeats", Text(r), "--seconds", Text(s)];
                if (parse.GetValue(gemm) is int size)
                {
                    again.AddRange(["--gemm", Text(size)]);
                }
                else if (parse.GetValue(layers) is string custom)
                {
                    again.AddRange(["--layers", custom, "--batch", Text(parse.GetValue(batch)), "--activation",
                        parse.GetValue(activation)!, "--loss", parse.GetValue(loss)!, "--optimizer", parse.GetValue(optimizer)!,
                        "--accumulate", parse.GetValue(accumulate)!]);
                }
                else
                {
                    again.AddRange(["--workload", parse.GetValue(workloads)!, "--accumulate", parse.GetValue(accumulate)!]);
                }
                return FreshProcessBench.Run(runner ?? new ChildProcess(), again, processes, output);
            }
            if (parse.GetValue(dataParallel))
            {
                GradientAllReduce[] modes = [.. NameList.Parse("--allreduce", parse.GetValue(allReduce)!,
                    "one or more comma-separated ways: flat, layers").Select(GradientAllReduceNames.Parse).Distinct()];
                return DataParallel(chosen, names, modes, r * s, parse.GetValue(json), load, output);
            }
            FmaPeaks peaks = FmaPeaks.Measure();
            using CacheLatencyProbe? ownProbe = latency is null ? new CacheLatencyProbe() : null;
            ILatencyProbe probe = latency ?? ownProbe!;
            var start = new LoadLatency(probe.Nanoseconds());
            if (parse.GetValue(gemm) is int n)
            {
                var products = new List<GemmResult>();
                foreach (string name in names)
                {
                    using IBackend backend = Backends.Create(name);
                    try
                    {
                        products.Add(GemmTimer.Run(backend, n, r, s, load, probe));
                    }
                    catch (NotEnoughMemoryException e)
                    {
                        throw new NotEnoughMemoryException($"--gemm {n}: {e.Message}");
                    }
                }
                output.WriteLine(parse.GetValue(json) ? BenchReport.GemmJson(products, peaks, start)
                    : BenchReport.GemmTable(products, peaks, r, start));
                return 0;
            }
            var results = new List<WorkloadResult>();
            var breakdowns = new List<OpBreakdown>();
            var untimed = new List<string>();
            foreach (Workload workload in chosen)
            {
                foreach (string name in names)
                {
                    using IBackend backend = Backends.Create(name);
                    results.Add(WorkloadTimer.Run(backend, workload, r, s, load, latency: probe));
                    if (byOp && backend is IDeviceCounters)
                    {
                        untimed.Add(name);
                    }
                    else if (byOp)
                    {
                        breakdowns.Add(OpTimer.Run(backend, workload, r * s, load));
                    }
                }
            }
            output.WriteLine(parse.GetValue(json) ? BenchReport.Json(results, peaks, start)
                : BenchReport.Table(results, peaks, r, start));
            if (byOp)
            {
                output.Write(OpsReport.Table(breakdowns, peaks.Assumed));
                foreach (string name in untimed.Distinct())
                {
                    output.WriteLine($"no ops of {name}: a device backend's ops run after they return, so they are not "
                        + "timed one by one");
                }
            }
            return 0;
        }));
        return command;
    }

    // One line per workload, backend and all-reduce mode (one line on one rank, where the gradient does not travel),
    // from rank 0, with the time of a step, its all-reduce, the bytes it carries and the machine's load, as each is
    // measured; then the load's notes. With --json, one document at the end.
    private static int DataParallel(List<Workload> chosen, string[] names, GradientAllReduce[] modes, double seconds,
        bool json, ILoadSampler? load,
        TextWriter output)
    {
        using ICommunicator ranks = Communicators.Create(forceMpi: false);
        TextWriter root = DataParallelRun.Output(ranks, output);
        var results = new List<DataParallelResult>();
        foreach (Workload workload in chosen)
        {
            foreach (string name in names)
            {
                foreach (GradientAllReduce mode in ranks.Size > 1 ? modes : modes[..1])
                {
                    using IBackend backend = Backends.Create(name);
                    DataParallelResult d = DataParallelTimer.Run(backend, workload, ranks, seconds, mode, load);
                    results.Add(d);
                    if (!json)
                    {
                        root.WriteLine(DataParallelReport.Line(d));
                    }
                }
            }
        }
        if (json)
        {
            root.WriteLine(DataParallelReport.Json(results));
            return 0;
        }
        foreach (string line in DataParallelReport.Notes(results))
        {
            root.WriteLine(line);
        }
        return 0;
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string[] DefaultBackends()
    {
        string[] fast = [.. Backends.Available.Select(d => d.Name).Where(n => n != "reference")];
        return fast.Length > 0 ? fast : ["reference"];
    }

    private static List<Workload> Choose(string text)
    {
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return [.. Workload.Named];
        }
        string expected = $"one or more comma-separated workloads, or all: {string.Join(", ", Workload.Named.Select(w => w.Name))}";
        return [.. NameList.Parse("--workload", text, expected).Select(name =>
            Workload.Named.FirstOrDefault(w => w.Name == name)
            ?? throw new ArgumentException(
                $"--workload: unknown workload '{name}'; expected one of: all, {string.Join(", ", Workload.Named.Select(w => w.Name))}"))];
    }

    private static int[] ParseCounts(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length > 0 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? [.. parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).Distinct()]
            : throw new FormatException($"--accumulate: expected comma-separated positive numbers, e.g. 1,4,16, got '{text}'");
    }

    private static int[] ParseSizes(string text)
    {
        int[] sizes = TrainingPlan.ParseLayers(text);
        return sizes.Length >= 2 ? sizes : throw new FormatException("--layers: give at least the input and output sizes");
    }
}
