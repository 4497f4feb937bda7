using System.Diagnostics;

namespace FastNet.Benchmarks;

/// <summary>Median timings with a stopwatch: quicker and rougher than BenchmarkDotNet, for tuning.</summary>
public static class QuickRun
{
    /// <summary>Prints the median step time and samples/s of every training case whose name starts with prefix.</summary>
    public static void TrainingSteps(int steps, string prefix)
    {
        foreach (string name in TrainingStepBenchmark.CaseNames.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var bench = new TrainingStepBenchmark { Case = name };
            bench.Setup();
            for (int i = 0; i < 3; i++)
            {
                bench.Step();
            }
            double[] times = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                long start = Stopwatch.GetTimestamp();
                bench.Step();
                times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            Array.Sort(times);
            double median = times[steps / 2];
            Console.WriteLine($"{name,-50} median {median * 1e3,9:F3} ms  {bench.Samples / median,10:N0} samples/s  "
                + $"{bench.Flops / median / 1e9,6:F1} GFLOP/s  (min {times[0] * 1e3:F3} ms)");
        }
    }
}
