using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FastNet.Benchmarking;
using FastNet.Cli;
using FastNet.Cli.Commands;
using FastNet.Tests.Benchmarking;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>fastnet bench</c> with the load reading replaced: the columns, the warning for a busy measurement,
/// the unknown load; and <c>--fresh-processes</c>, its processes run in-process here.</summary>
public class BenchLoadCliTests
{
    private static readonly string[] SmallBench =
        ["bench", "--layers", "20,16,4", "--batch", "8", "--backend", "reference", "--repeats", "1", "--seconds", "0.02"];

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
        Assert.Matches(@"(?m)^16³ +reference +[0-9.]+ +[0-9.]+% +[0-9.]+ +0\.80 +4\.00-5\.00$", output);
        Assert.Contains("warning: the machine was busy during the 16³ SGEMM on reference", output, StringComparison.Ordinal);
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

    private static (int ExitCode, string Output, string Error) Bench(ILoadSampler? sampler, params string[] args) =>
        Bench(sampler, null, args);

    private static (int ExitCode, string Output, string Error) Bench(ILoadSampler? sampler, IFastNetRunner? runner,
        params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new Command("fastnet") { BenchCommand.Create(output, error, sampler, runner) };
        int exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
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
            Latencies.Add(doc.RootElement.GetProperty("load_latency_ns").GetDouble());
            return (exit, output.ToString(), error.ToString());
        }
    }
}
