using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastNet.Benchmarking;
using FastNet.Cli;
using FastNet.Cli.Commands;
using FastNet.Tests.Benchmarking;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>fastnet bench</c> with the load reading and the load latency probe replaced: the columns, the warnings
/// for a busy measurement and for one in a slow stretch, the unknown load; and <c>--fresh-processes</c>, its processes
/// run in-process here.</summary>
public class BenchLoadCliTests
{
    private static readonly string[] SmallBench =
        ["bench", "--layers", "20,16,4", "--batch", "8", "--backend", "reference", "--repeats", "1", "--seconds", "0.02"];

    private static readonly string[] TwoSmallGemms =
        ["bench", "--gemm", "16", "--backend", "reference,reference", "--repeats", "1", "--seconds", "0.02"];

    [Fact]
    public void ABusyMeasurementGetsAWarningLineNamingItAndTheCoresTaken()
    {
        // every reading one second after the last, the machine 2 CPU-seconds busier, this process 0.5 of them
        (int exit, string output, string error) = Bench(new SteppingSampler(busyPerSecond: 2, ownPerSecond: 0.5), SmallBench);
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m)^custom +reference .* 1\.50 +4\.00-5\.00$", output);
        Assert.Contains("warning: the machine was busy during custom on reference: other processes took 1.50 cores on average",
            output, StringComparison.Ordinal);
    }

    [Fact]
    public void AQuietMeasurementGetsNoWarning()
    {
        (int exit, string output, string error) = Bench(new SteppingSampler(busyPerSecond: 0.55, ownPerSecond: 0.5), SmallBench);
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m)^custom +reference .* 0\.05 +4\.00-5\.00$", output);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGemmTableWarnsToo()
    {
        (int exit, string output, string error) = Bench(new SteppingSampler(busyPerSecond: 1, ownPerSecond: 0.2),
            "bench", "--gemm", "16", "--backend", "reference", "--repeats", "1", "--seconds", "0.02");
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m)^16³ +reference +[0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+ +0\.80 +4\.00-5\.00$", output);
        Assert.Contains("warning: the machine was busy during the 16³ SGEMM on reference", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AMeasurementWhoseLoadsWereSlowGetsAWarningLineNamingItAndTheLatencies()
    {
        // the start probe reads 5.00 ns; the workload's three repeats 6.10, 5.90 and 6.00: +20% over the lowest
        var probe = new ScriptedLatencyProbe(5.0, 6.1, 5.9, 6.0);
        (int exit, string output, string error) = Bench(new SteppingSampler(0.55, 0.5), null, probe,
            [.. SmallBench[..^4], "--repeats", "3", "--seconds", "0.02"]);
        Assert.True(exit == 0, error);
        Assert.Equal(4, probe.Reads);
        Assert.StartsWith("load latency measured here: 5.00 ns a load", output.Split('\n')[1], StringComparison.Ordinal);
        Assert.Matches(@"(?m)^custom +reference .* 6\.00 +0\.05 +4\.00-5\.00$", output);
        Assert.Contains("warning: loads were slow during custom on reference: 6.00 ns a load against 5.00 at this run's "
            + "lowest (+20%, slow above +10%)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("busy during", output, StringComparison.Ordinal);

        (exit, output, error) = Bench(new SteppingSampler(0.55, 0.5), null, new ScriptedLatencyProbe(5.0, 6.1, 5.9, 6.0),
            [.. SmallBench[..^4], "--repeats", "3", "--seconds", "0.02", "--json"]);
        Assert.True(exit == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(5.0, doc.RootElement.GetProperty("load_latency_ns").GetDouble());
        JsonElement result = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(6.0, result.GetProperty("load_latency_ns").GetDouble());
        Assert.Equal([6.1, 5.9, 6.0], result.GetProperty("load_latencies_ns").EnumerateArray().Select(v => v.GetDouble()));
        Assert.True(result.GetProperty("loads_slow").GetBoolean());
    }

    [Fact]
    public void OnlyLoadsMoreThanTenPercentAboveTheRunsLowestGetAWarning()
    {
        // the start probe 5.00, two SGEMMs 5.40 (+8%) and 5.60 (+12%): only the second warns
        (int exit, string output, string error) = Bench(new SteppingSampler(0.55, 0.5), null,
            new ScriptedLatencyProbe(5.0, 5.4, 5.6), TwoSmallGemms);
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m)^16³ +reference +[0-9.]+ +[0-9.]+% +[0-9.]+ +5\.40 +0\.05 +4\.00-5\.00$", output);
        Assert.Matches(@"(?m)^16³ +reference +[0-9.]+ +[0-9.]+% +[0-9.]+ +5\.60 +0\.05 +6\.00-7\.00$", output);
        Assert.Single(output.Split('\n'), l => l.StartsWith("warning: loads were slow during the 16³ SGEMM on reference: "
            + "5.60 ns a load against 5.00 at this run's lowest (+12%", StringComparison.Ordinal));
        Assert.DoesNotContain("5.40 ns a load against", output, StringComparison.Ordinal);

        // the lowest is a measurement's own where it is below the start probe: 5.60 against 5.00, not 5.20
        (exit, output, error) = Bench(new SteppingSampler(0.55, 0.5), null, new ScriptedLatencyProbe(5.2, 5.6, 5.0),
            TwoSmallGemms);
        Assert.True(exit == 0, error);
        Assert.Contains("warning: loads were slow during the 16³ SGEMM on reference: 5.60 ns a load against 5.00",
            output, StringComparison.Ordinal);

        // within 10% of each other and the start: no warning
        (exit, output, error) = Bench(new SteppingSampler(0.55, 0.5), null, new ScriptedLatencyProbe(5.2, 5.4, 5.0),
            TwoSmallGemms);
        Assert.True(exit == 0, error);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutProcTheLoadIsUnknownAndTheBenchStillRuns()
    {
        (int exit, string output, string error) = Bench(new UnknownSampler(), SmallBench);
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m)^custom +reference .* +\? +\?$", output);
        Assert.Contains("load unknown: no counters on this system", output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);

        (exit, output, error) = Bench(new UnknownSampler(), [.. SmallBench, "--json"]);
        Assert.True(exit == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement load = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray()).GetProperty("load");
        Assert.Equal(JsonValueKind.Null, load.GetProperty("other_processes_cores").ValueKind);
        Assert.False(load.GetProperty("busy").GetBoolean());
        Assert.Equal("no counters on this system", load.GetProperty("unknown").GetString());
    }

    [Fact]
    public void JsonCarriesTheLoadOfEachMeasurement()
    {
        (int exit, string output, string error) = Bench(new SteppingSampler(busyPerSecond: 2, ownPerSecond: 0.5), [.. SmallBench, "--json"]);
        Assert.True(exit == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement load = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray()).GetProperty("load");
        Assert.Equal(1.5, load.GetProperty("other_processes_cores").GetDouble(), 9);
        Assert.Equal(4, load.GetProperty("load_average_start").GetDouble());
        Assert.Equal(5, load.GetProperty("load_average_end").GetDouble());
        Assert.True(load.GetProperty("busy").GetBoolean());
    }

    [Fact]
    public void TheDataParallelBenchReportsTheLoadOnItsLineAndWarnsWhenBusy()
    {
        (int exit, string output, string error) = Bench(new SteppingSampler(busyPerSecond: 2, ownPerSecond: 0.5),
            [.. SmallBench, "--data-parallel"]);
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m)^custom reference ranks 1 threads 1 samples/s [0-9.]+ .* gradient_bytes [0-9]+ allreduce none others 1\.50 loadavg 4\.00-5\.00 bytes_per_step 0$", output);
        Assert.Contains("during the timed epochs", output, StringComparison.Ordinal);
        Assert.Contains("warning: the machine was busy during custom on reference: other processes took 1.50 cores on average",
            output, StringComparison.Ordinal);

        (exit, output, error) = Bench(new SteppingSampler(busyPerSecond: 0.55, ownPerSecond: 0.5), [.. SmallBench, "--data-parallel"]);
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m) others 0\.05 loadavg 4\.00-5\.00 bytes_per_step [0-9]+$", output);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDataParallelBenchWritesItsResultsAndLoadAsJson()
    {
        (int exit, string output, string error) = Bench(new SteppingSampler(busyPerSecond: 2, ownPerSecond: 0.5),
            [.. SmallBench, "--data-parallel", "--json"]);
        Assert.True(exit == 0, error);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement result = Assert.Single(doc.RootElement.GetProperty("data_parallel").EnumerateArray());
        Assert.Equal("custom", result.GetProperty("workload").GetString());
        Assert.Equal(1, result.GetProperty("ranks").GetInt32());
        Assert.True(result.GetProperty("samples_per_second").GetDouble() > 0);
        Assert.Equal(0, result.GetProperty("allocated_bytes_per_step").GetDouble());
        JsonElement load = result.GetProperty("load");
        Assert.Equal(1.5, load.GetProperty("other_processes_cores").GetDouble(), 9);
        Assert.Equal(4, load.GetProperty("load_average_start").GetDouble());
        Assert.Equal(5, load.GetProperty("load_average_end").GetDouble());
        Assert.True(load.GetProperty("busy").GetBoolean());

        (exit, output, error) = Bench(new UnknownSampler(), [.. SmallBench, "--data-parallel"]);
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m) others \? loadavg \? bytes_per_step [0-9]+$", output);
        Assert.Contains("load unknown: no counters on this system", output, StringComparison.Ordinal);
    }

    [Fact]
    public void FreshProcessesRunTheSameBenchAsJsonAndReportEachRateWithTheSpread()
    {
        var runner = new InProcessRunner();
        (int exit, string output, string error) = Bench(null, runner, "bench", "--layers", "20,16,4", "--batch", "8",
            "--backend", "reference", "--repeats", "1", "--seconds", "0.02", "--fresh-processes", "3");
        Assert.True(exit == 0, error);

        Assert.Equal(3, runner.Calls.Count);
        Assert.All(runner.Calls, args =>
        {
            Assert.Contains("--json", args);
            Assert.DoesNotContain("--fresh-processes", args);
            Assert.Equal("20,16,4", args[args.IndexOf("--layers") + 1]);
            Assert.Equal("8", args[args.IndexOf("--batch") + 1]);
            Assert.Equal("reference", args[args.IndexOf("--backend") + 1]);
        });
        // each process's own rate, the FMA peak it measured, the rate's share of it and the load latency it
        // measured, in order, then their spread
        double[] rates = [.. runner.Rates];
        MatchCollection rows = Regex.Matches(output,
            @"(?m)^ +([123]) +([0-9,.]+) +([0-9.]+) +([0-9.]+)% +([0-9.]+) +[0-9.]+ +[0-9.?]+ +[0-9.?-]+$");
        Assert.Equal(["1", "2", "3"], rows.Select(m => m.Groups[1].Value));
        var c = CultureInfo.InvariantCulture;
        Assert.Equal(rates.Select(r => r.ToString("N1", c)), rows.Select(m => m.Groups[2].Value));
        Assert.Equal(runner.Peaks.Select(p => p.ToString("F1", c)), rows.Select(m => m.Groups[3].Value));
        Assert.Equal(runner.Percents.Select(p => p.ToString("F1", c)), rows.Select(m => m.Groups[4].Value));
        Assert.Equal(runner.Latencies.Select(ns => ns.ToString("F2", c)), rows.Select(m => m.Groups[5].Value));
        Assert.All(runner.Latencies, ns => Assert.True(double.IsFinite(ns) && ns > 0, $"load latency {ns} ns"));
        double min = rates.Min(), max = rates.Max(), median = rates.Order().ElementAt(1);
        Assert.Contains(string.Create(c,
            $"spread over 3 processes: median {median:N1}, min {min:N1}, max {max:N1}, max/min {max / min:F2}"),
            output, StringComparison.Ordinal);
        double[] shares = [.. runner.Percents.Order()];
        Assert.Contains(string.Create(c,
            $"share of each process's own FMA peak: median {shares[1]:F1}%, min {shares[0]:F1}%, max {shares[2]:F1}%"),
            output, StringComparison.Ordinal);
    }

    [Fact]
    public void AFreshProcessWhoseLoadsWereSlowerThanTheOthersGetsAWarning()
    {
        // three processes' own JSON: the second's probes stand 20% above the first's
        var runner = new CannedRunner([5.0, 5.1, 4.9], [6.0, 6.1, 5.9], [5.2, 5.3, 5.1]);
        (int exit, string output, string error) = Bench(null, runner, [.. SmallBench, "--fresh-processes", "3"]);
        Assert.True(exit == 0, error);
        Assert.Matches(@"(?m)^ +2 +900\.0 +400\.0 +1\.0% +6\.00 ", output);
        Assert.Contains("warning: loads were slow during process 2: 6.00 ns a load against 5.00 at this run's lowest (+20%",
            output, StringComparison.Ordinal);
        Assert.DoesNotContain("during process 1:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("during process 3:", output, StringComparison.Ordinal); // +4%
    }

    [Fact]
    public void AFailedFreshProcessFailsTheBenchWithItsError()
    {
        var runner = new InProcessRunner { Fail = true };
        (int exit, _, string error) = Bench(null, runner, [.. SmallBench, "--fresh-processes", "2"]);
        Assert.Equal(FastNetCli.Failure, exit);
        Assert.Contains("process 1 of 2 failed", error, StringComparison.Ordinal);
        Assert.Contains("planted failure", error, StringComparison.Ordinal);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public void FreshProcessesRefuseJsonAndZero()
    {
        (int exit, _, string error) = Bench(null, new InProcessRunner(), [.. SmallBench, "--fresh-processes", "0"]);
        Assert.Equal(FastNetCli.Failure, exit);
        Assert.Contains("--fresh-processes", error, StringComparison.Ordinal);
        (exit, _, error) = Bench(null, new InProcessRunner(), [.. SmallBench, "--fresh-processes", "2", "--json"]);
        Assert.Equal(FastNetCli.Failure, exit);
        Assert.Contains("--json", error, StringComparison.Ordinal);
    }

    // the load latency steady at 5 ns, so that no measurement warns of slow loads on a machine whose own latency moves
    // NaN passes no comparison (each repeat would be one call); infinity, which never ends a repeat, is refused as the
    // option is read (DecimalOptionCliTests)
    [Theory]
    [InlineData("NaN")]
    [InlineData("0")]
    public void SecondsThatAreNotAFinitePositiveNumberAreRefused(string seconds)
    {
        (int exit, _, string error) = Bench(null, "bench", "--workload", "per-example", "--backend", "simd", "--seconds", seconds);

        Assert.Equal(1, exit);
        Assert.Equal("fastnet: error: --repeats, --seconds and --batch must be positive (--seconds finite)\n",
            error.Replace("\r", "", StringComparison.Ordinal));
    }

    // every repeat keeps its figures in arrays allocated before the first one: 2^31 - 1 of them ran out of memory
    [Fact]
    public void MoreRepeatsThanTheBoundAreRefusedBeforeAnythingIsTimed()
    {
        (int exit, string output, string error) = Bench(null, "bench", "--workload", "per-example", "--backend", "reference",
            "--repeats", "2147483647", "--seconds", "0.01");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("fastnet: error: --repeats: expected a number from 1 to 100000, found 2147483647\n",
            error.Replace("\r", "", StringComparison.Ordinal));
    }

    // the operands were allocated without a look at the memory available
    [Fact]
    public void AGemmLargerThanTheMemoryIsRefusedNamingGemmWhatItNeedsAndWhatIsAvailable()
    {
        // the smallest size whose three n×n operands need more than is available now
        long available = AvailableMemory.HostBytes();
        int n = (int)Math.Ceiling(Math.Sqrt(available / (3.0 * sizeof(float)))) + 1;
        if (n > GemmMemory.MaxSize)
        {
            return; // more memory free than the largest product needs: nothing to refuse here
        }

        (int exit, string output, string error) = Bench(null, "bench", "--gemm", $"{n}", "--backend", "simd",
            "--repeats", "1", "--seconds", "0.01");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"fastnet: error: --gemm {n}: not enough memory: the {n}³ SGEMM needs ", error, StringComparison.Ordinal);
        Assert.Contains("(three operands ", error, StringComparison.Ordinal);
        Assert.Contains("GiB available; use a smaller size", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("46341")]
    [InlineData("2147483647")]
    [InlineData("0")]
    public void AGemmSizeWhoseSquareOverflowsABufferIsRefused(string n)
    {
        (int exit, string output, string error) = Bench(null, "bench", "--gemm", n, "--backend", "reference");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"fastnet: error: --gemm: expected a size from 1 to 46340, found {n}\n",
            error.Replace("\r", "", StringComparison.Ordinal));
    }

    // a list naming nothing timed nothing and exited 0
    [Theory]
    [InlineData("--backend", ",", "--backend: expected one or more comma-separated backends (available here: ")]
    [InlineData("--workload", " , ", "--workload: expected one or more comma-separated workloads, or all: ")]
    public void AListNamingNothingIsAnError(string option, string list, string problem)
    {
        (int exit, string output, string error) = Bench(null, "bench", option, list, "--repeats", "1", "--seconds", "0.01");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"fastnet: error: {problem}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAllReduceListNamingNothingIsAnError()
    {
        (int exit, string output, string error) = Bench(null, "bench", "--data-parallel", "--allreduce", ",",
            "--workload", "per-example", "--backend", "reference", "--seconds", "0.01");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("fastnet: error: --allreduce: expected one or more comma-separated ways: flat, layers, found \",\"\n",
            error.Replace("\r", "", StringComparison.Ordinal));
    }

    // an option given where it has no use would be left out of the measurement without a word
    [Theory]
    [InlineData("--batch", "32", "--batch: describes a custom workload, given with --layers")]
    [InlineData("--optimizer", "adam", "--optimizer: describes a custom workload, given with --layers")]
    [InlineData("--allreduce", "flat", "--allreduce: only with --data-parallel")]
    public void AnOptionWithoutAUseHereIsRefused(string option, string value, string problem)
    {
        (int exit, string output, string error) = Bench(null, "bench", "--workload", "per-example", option, value);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"fastnet: error: {problem}\n", error.Replace("\r", "", StringComparison.Ordinal));
    }

    // the measurement ran without a word on what was dropped: --layers took the place of --workload, and --data-parallel
    // timed training where --gemm's product was asked for, or --gemm's product that of the workload
    [Theory]
    [InlineData(new[] { "--workload", "tanh-64", "--layers", "4,3,2" },
        "--workload: names built-in workloads, and --layers times a custom one instead: give one of them")]
    [InlineData(new[] { "--gemm", "8", "--workload", "tanh-64" },
        "--gemm: times the backends' n×n product alone, not training: not with --workload")]
    [InlineData(new[] { "--gemm", "8", "--layers", "4,3,2" },
        "--gemm: times the backends' n×n product alone, not training: not with --layers")]
    [InlineData(new[] { "--gemm", "8", "--data-parallel" },
        "--gemm: times the backends' n×n product alone, not training: not with --data-parallel")]
    public void MeasurementsThatExcludeEachOtherAreRefused(string[] options, string problem)
    {
        (int exit, string output, string error) = Bench(null, ["bench", "--backend", "simd", "--repeats", "1", "--seconds",
            "0.01", .. options]);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"fastnet: error: {problem}\n", error.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void AccumulationIsForTrainingWorkloadsNotTheProduct()
    {
        (int exit, _, string error) = Bench(null, "bench", "--gemm", "64", "--accumulate", "4");

        Assert.Equal(1, exit);
        Assert.Equal("fastnet: error: --accumulate: splits training workloads' batches, not --gemm's product\n",
            error.Replace("\r", "", StringComparison.Ordinal));
    }

    // a child that fails says why in one line, as an error of the command, not a crash with a stack trace
    [Fact]
    public void AFreshProcessThatFailsIsReportedInOneLine()
    {
        (int exit, string output, string error) = Bench(null, new FailingRunner(), "bench", "--fresh-processes", "2",
            "--workload", "per-example", "--backend", "simd");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("fastnet: error: --fresh-processes: process 1 of 2 failed (exit 1): fastnet: error: out of cheese\n",
            error.Replace("\r", "", StringComparison.Ordinal));
    }

    // any count was taken: the processes, run one after another, gave no line of output until the last had ended
    [Fact]
    public void FreshProcessesBeyondTheLimitAreRefusedBeforeAnyStarts()
    {
        var runner = new CountingRunner();
        (int exit, string output, string error) = Bench(null, runner, "bench", "--fresh-processes", "1001",
            "--layers", "4,3,2", "--backend", "simd", "--repeats", "1", "--seconds", "0.001");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal(0, runner.Calls);
        Assert.Equal("fastnet: error: --fresh-processes: expected a number from 1 to 1000, found 1001\n",
            error.Replace("\r", "", StringComparison.Ordinal));
    }

    // a process that reports one fixed rate at once, counted
    private sealed class CountingRunner : IFastNetRunner
    {
        public int Calls { get; private set; }

        public (int ExitCode, string Output, string Error) Run(IReadOnlyList<string> args)
        {
            Calls++;
            return (0, """
                {"peak_gflops": 400, "results": [{"workload": "custom", "backend": "simd", "samples_per_second": 1000,
                  "repeats": [1000], "load": {"load_average_start": 1, "load_average_end": 1, "other_processes_cores": 0.01,
                  "seconds": 1}}]}
                """, "");
        }
    }

    private sealed class FailingRunner : IFastNetRunner
    {
        public (int ExitCode, string Output, string Error) Run(IReadOnlyList<string> args) =>
            (1, "", "fastnet: error: out of cheese\n");
    }

    private static (int ExitCode, string Output, string Error) Bench(ILoadSampler? sampler, params string[] args) =>
        Bench(sampler, null, new ScriptedLatencyProbe(5.0), args);

    private static (int ExitCode, string Output, string Error) Bench(ILoadSampler? sampler, IFastNetRunner? runner,
        params string[] args) =>
        Bench(sampler, runner, new ScriptedLatencyProbe(5.0), args);

    private static (int ExitCode, string Output, string Error) Bench(ILoadSampler? sampler, IFastNetRunner? runner,
        ILatencyProbe? probe, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new Command("fastnet") { BenchCommand.Create(output, error, sampler, runner, probe) };
        int exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    // each "process" prints the next canned result: 1,000 samples/s (900 for the second) at 1% of a 400 GFLOP/s peak,
    // its load quiet, its load latency probes as given
    private sealed class CannedRunner(params double[][] latencies) : IFastNetRunner
    {
        private int _calls;

        public (int ExitCode, string Output, string Error) Run(IReadOnlyList<string> args)
        {
            int p = _calls++;
            double rate = p == 1 ? 900 : 1000;
            string probes = string.Join(", ", latencies[p].Select(ns => ns.ToString(CultureInfo.InvariantCulture)));
            string json = string.Create(CultureInfo.InvariantCulture, $$$"""
                {"peak_gflops": 400, "load_latency_ns": 5.0, "results": [{"workload": "custom", "backend": "reference",
                  "samples_per_second": {{{rate}}}, "repeats": [{{{rate}}}], "percent_of_peak": 1.0,
                  "load_latency_ns": {{{WorkloadTimer.Median(latencies[p])}}}, "load_latencies_ns": [{{{probes}}}],
                  "load": {"load_average_start": 1, "load_average_end": 1, "other_processes_cores": 0.01, "seconds": 1}}]}
                """);
            return (0, json, "");
        }
    }

    // runs each "process" through the same command line in this process, and keeps what each reported
    private sealed class InProcessRunner : IFastNetRunner
    {
        public List<List<string>> Calls { get; } = [];

        public List<double> Rates { get; } = [];

        public List<double> Peaks { get; } = [];

        public List<double> Percents { get; } = [];

        public List<double> Latencies { get; } = [];

        public bool Fail { get; init; }

        public (int ExitCode, string Output, string Error) Run(IReadOnlyList<string> args)
        {
            Calls.Add([.. args]);
            if (Fail)
            {
                return (1, "", "planted failure\n");
            }
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = FastNetCli.Run([.. args], output, error);
            using JsonDocument doc = JsonDocument.Parse(output.ToString());
            JsonElement result = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray());
            Rates.Add(result.GetProperty("samples_per_second").GetDouble());
            Peaks.Add(doc.RootElement.GetProperty("peak_gflops").GetDouble());
            Percents.Add(result.GetProperty("percent_of_peak").GetDouble());
            Latencies.Add(result.GetProperty("load_latency_ns").GetDouble());
            return (exit, output.ToString(), error.ToString());
        }
    }
}
