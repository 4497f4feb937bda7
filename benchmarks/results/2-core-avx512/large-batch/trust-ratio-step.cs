#:project ../../../../kernels/FastNet.Kernels/FastNet.Kernels.csproj
#:property AllowUnsafeBlocks=true
using System.Diagnostics;
using FastNet.Kernels;
using FastNet.Kernels.Reference;
using FastNet.Kernels.Simd;

// Run from this folder: dotnet run -c Release trust-ratio-step.cs -- ROUNDS STEPS (the figures: 11 10).
// TrustRatioStep over the segments of 784-1024-1024-10 (weights, biases per layer): the reference's float64 loop
// (what SimdBackend inherited before) against SimdBackend's own, interleaved rounds, medians.
int[] segments = [784 * 1024, 1024, 1024 * 1024, 1024, 1024 * 10, 10];
int rounds = int.Parse(args[0]), stepsPerRound = int.Parse(args[1]);
var backends = new (string Name, IBackend Backend)[] { ("reference loop (before)", new ReferenceBackend()), ("simd (after)", SimdBackend.Create()) };
foreach (OptimizerKind kind in new[] { OptimizerKind.Lars, OptimizerKind.Lamb })
{
    var wall = backends.ToDictionary(b => b.Name, _ => new List<double>());
    var cpu = backends.ToDictionary(b => b.Name, _ => new List<double>());
    var state = backends.ToDictionary(b => b.Name, b => segments.Select(n => Enumerable.Range(0, 4).Select(_ => b.Backend.Allocate(n)).ToArray()).ToArray());
    var rnd = new Random(1);
    foreach (var (name, backend) in backends)
    {
        for (int s = 0; s < segments.Length; s++)
        {
            float[] x = new float[segments[s]];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rnd.NextDouble() * 0.1 - 0.05);
            backend.Upload(x, state[name][s][0].All);
            backend.Upload(x, state[name][s][1].All);
            backend.Fill(0, state[name][s][2].All);
            backend.Fill(0, state[name][s][3].All);
        }
    }
    for (int r = 0; r <= rounds; r++)
    {
        foreach (var (name, backend) in backends)
        {
            double product = 1;
            var proc = Process.GetCurrentProcess();
            TimeSpan cpu0 = proc.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            for (int k = 0; k < stepsPerRound; k++)
            {
                OptimizerStep step = OptimizerStep.Create(kind, 0.01, kind == OptimizerKind.Lars ? 0.9 : 0, 0.9, 0.999, 1e-6, 0.01, k + 1, ref product) with { TrustCoefficient = 1e-3 };
                for (int s = 0; s < segments.Length; s++)
                {
                    FloatBuffer[] b = state[name][s];
                    backend.TrustRatioStep(b[0].All, step, b[1].All, b[2].All, kind == OptimizerKind.Lamb ? b[3].All : BufferView.Empty, s % 2 == 0);
                }
            }
            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            proc.Refresh();
            double cpuSeconds = (proc.TotalProcessorTime - cpu0).TotalSeconds;
            if (r > 0) { wall[name].Add(seconds / stepsPerRound * 1e3); cpu[name].Add(cpuSeconds / stepsPerRound * 1e3); }
        }
    }
    foreach (var (name, _) in backends)
    {
        double Median(List<double> v) { var s = v.Order().ToArray(); return s[s.Length / 2]; }
        Console.WriteLine($"{kind,-5} {name,-24} per step (6 segments, 1,863,690 parameters): wall median {Median(wall[name]):F2} ms (min {wall[name].Min():F2}), process CPU median {Median(cpu[name]):F2} ms, {rounds} rounds x {stepsPerRound} steps");
    }
}
