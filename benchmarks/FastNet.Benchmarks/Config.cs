using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace FastNet.Benchmarks;

/// <summary>Short runs (this machine is small and shared: medians of a dozen iterations) with the rate columns.</summary>
public sealed class RateConfig : ManualConfig
{
    public RateConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(12));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, RateColumn.Gflops, RateColumn.PercentOfPeak, RateColumn.SamplesPerSecond);
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(50));
    }
}
