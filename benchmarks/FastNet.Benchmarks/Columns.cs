using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FastNet.Kernels.Cpu;

namespace FastNet.Benchmarks;

/// <summary>A benchmark that knows how much work one invocation does.</summary>
public interface IWork
{
    /// <summary>Floating-point operations per invocation (a multiply-add counts 2).</summary>
    double Flops { get; }

    /// <summary>Training samples per invocation (0 when not a training step).</summary>
    int Samples { get; }

    /// <summary>Threads the invocation computes on (for % of peak).</summary>
    int Threads { get; }
}

/// <summary>GFLOP/s, % of the measured FMA peak and samples/s, from the median time.</summary>
public sealed class RateColumn(string name, Func<IWork, double, string> format) : IColumn
{
    /// <summary>GFLOP/s from the median.</summary>
    public static readonly RateColumn Gflops = new("GFLOP/s", (w, s) => $"{w.Flops / s / 1e9:F1}");

    /// <summary>
    /// Percent of the FMA peak of the threads used: one thread's measured peak times the threads (a whole-machine
    /// measurement taken while another process holds a core would flatter the result; the FmaPeakBenchmark rows show
    /// the measured multi-thread figure).
    /// </summary>
    public static readonly RateColumn PercentOfPeak = new("% of peak",
        (w, s) => $"{100 * w.Flops / s / 1e9 / (w.Threads * FmaPeak.Measure(1)):F1}%");

    /// <summary>Training samples per second from the median.</summary>
    public static readonly RateColumn SamplesPerSecond = new("samples/s",
        (w, s) => w.Samples == 0 ? "-" : $"{w.Samples / s:N0}");

    public string Id => nameof(RateColumn) + ColumnName;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => name + " computed from the median time per invocation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is null)
        {
            return "-";
        }
        var work = (IWork)Activator.CreateInstance(benchmarkCase.Descriptor.Type)!;
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            benchmarkCase.Descriptor.Type.GetProperty(parameter.Name)?.SetValue(work, parameter.Value);
        }
        return format(work, report.ResultStatistics.Median / 1e9);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
