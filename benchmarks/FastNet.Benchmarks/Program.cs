using BenchmarkDotNet.Running;
using FastNet.Benchmarks;

if (args.Length > 0 && args[0] == "quick")
{
    // a fast look without BenchmarkDotNet: median step time of each training case, for tuning sessions
    QuickRun.TrainingSteps(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15,
        args.Length > 2 ? args[2] : "simd");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
