using BenchmarkDotNet.Attributes;
using FastNet.Kernels;
using FastNet.Kernels.Cpu;
using FastNet.Kernels.Simd;

namespace FastNet.Benchmarks;

/// <summary>
/// SGEMM through the SIMD backend's dense forward pass with no bias and the identity (C = A·B exactly, no epilogue):
/// square sizes and the multilayer perceptron's shapes, M×K×N.
/// </summary>
[Config(typeof(RateConfig))]
public class SgemmBenchmark : IWork, IDisposable
{
    private SimdBackend? _backend;
    private FloatBuffer? _a, _b, _c;
    private int _m, _k, _n;

    [Params("256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048", "1024x784x1024", "64x784x1024",
        "1024x1024x10")]
    public string Shape { get; set; } = "1024x1024x1024";

    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    public double Flops => 2.0 * Dims().M * Dims().K * Dims().N;

    public int Samples => 0;

    private (int M, int K, int N) Dims()
    {
        int[] d = [.. Shape.Split('x').Select(int.Parse)];
        return (d[0], d[1], d[2]);
    }

    [GlobalSetup]
    public void Setup()
    {
        (_m, _k, _n) = Dims();
        _backend = SimdBackend.Create(Threads, VectorWidths.Best);
        var random = new Random(1);
        _a = _backend.Allocate(_m * _k);
        _b = _backend.Allocate(_k * _n);
        _c = _backend.Allocate(_m * _n);
        _backend.Upload([.. Enumerable.Range(0, _m * _k).Select(_ => (float)random.NextDouble())], _a.All);
        _backend.Upload([.. Enumerable.Range(0, _k * _n).Select(_ => (float)random.NextDouble())], _b.All);
    }

    [Benchmark]
    public void Multiply() =>
        _backend!.DenseForward(_a!.All, _b!.All, BufferView.Empty, _m, _k, _n, Activation.Identity, _c!.All);

    [GlobalCleanup]
    public void Dispose()
    {
        _a?.Dispose();
        _b?.Dispose();
        _c?.Dispose();
        _backend?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>This machine's FMA peak as a benchmark, so the % of peak column has its own row to check against.</summary>
[Config(typeof(RateConfig))]
public class FmaPeakBenchmark : IWork
{
    private const long Iterations = 10_000_000;

    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    public double Flops => Threads * 16.0 * 2 * (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 16 : 8)
        * Iterations;

    public int Samples => 0;

    [Benchmark]
    public double Peak() => FmaPeak.Run(Threads, Iterations);
}
