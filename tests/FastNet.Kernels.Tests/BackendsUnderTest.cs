using System.Collections.Concurrent;
using FastNet.Kernels.Reference;
using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// Binds the shared suites to every backend of FastNet's registry that can run here (reference, simd, and the GPU
/// backend where a CUDA device exists), plus the SIMD backend pinned to each narrower vector width and to one thread,
/// so every CPU code path runs on this machine without restarting the process. The GPU backend on ILGPU's CPU
/// accelerator is bound in FastNet.Kernels.Gpu.Tests, with sizes cut to its tiles.
/// </summary>
public static class BackendsUnderTest
{
    /// <summary>The test collection of every class that uses the shared instances.</summary>
    public const string Collection = "backends under test";

    /// <summary>Sizes for the CPU backends: every one of 1, 3, 7, 17, 33, 127, 1000 and 1024 in each role of a dense
    /// layer, depths above the GEMM's k-block (1100 inputs, and a batch of 1030 for dW), tiles cut at every edge, the
    /// batch-1 (GEMV) path, and lengths around the vector widths, the norm block (1024) and the parallel threshold
    /// (65,536).</summary>
    public static CaseSizes Cpu { get; } = new(
        Layers:
        [
            (1, 1, 1), (1, 3, 7), (1, 784, 128), (1, 127, 1000), (1, 1024, 33),
            (3, 7, 17), (7, 33, 3), (17, 127, 33), (33, 1000, 7), (127, 17, 1000),
            (1000, 127, 33), (1024, 1024, 10), (1000, 7, 1024), (7, 1, 127), (3, 1024, 1), (17, 1100, 33),
            (1030, 33, 17),
        ],
        Losses: [(1, 1), (1, 10), (3, 7), (17, 33), (1000, 10), (33, 1024), (7, 127)],
        OptimizerLengths: [1, 3, 17, 33, 1000, 100_003],
        Gathers: [(5, 1, 3), (100, 7, 33), (300, 784, 64), (400, 257, 70), (2000, 784, 1024)],
        FusedSteps:
        [
            (1, 1, 1), (1, 3, 7), (1, 17, 33), (1, 42, 9), (1, 127, 10), (1, 1000, 17), (1, 784, 128), (1, 2050, 17),
            (1, 100, 100), (1, 100, 112), (1, 100, 130),
            (3, 7, 17), (37, 33, 65), (2, 512, 512), (37, 520, 512),
        ],
        TrustRatioLengths: [1, 3, 17, 33, 1000, 1023, 1025, 4097, 65_539],
        Determinism: (300, 1100, 200));

    private static readonly ConcurrentDictionary<string, Lazy<BackendUnderTest>> Made = new();

    static BackendsUnderTest() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (Lazy<BackendUnderTest> made in Made.Values.Where(m => m.IsValueCreated))
        {
            made.Value.Backend.Dispose();
        }
    };

    /// <summary>Every bound backend's name.</summary>
    public static IReadOnlyList<string> Names => [.. AllNames()];

    /// <summary>The names for the dense-layer cases: the same backends (a SIMD width changes every op).</summary>
    public static IReadOnlyList<string> LayerCaseNames => Names;

    /// <summary>The training-step suite pairs every optimizer with every loss here (the CPU backends make it cheap).</summary>
    public static bool EveryOptimizerWithEveryLoss => true;

    /// <summary><see cref="Names"/> as theory data.</summary>
    public static TheoryData<string> Candidates => [.. Names];

    /// <summary><see cref="LayerCaseNames"/> as theory data.</summary>
    public static TheoryData<string> LayerCandidates => [.. LayerCaseNames];

    /// <summary>The backend called <paramref name="name"/>, made on first use.</summary>
    public static BackendUnderTest Get(string name) =>
        Made.GetOrAdd(name, n => new Lazy<BackendUnderTest>(() => Make(n))).Value;

    /// <summary>A new reference backend: the yardstick.</summary>
    public static ReferenceBackend Reference() => new();

    private static IEnumerable<string> AllNames()
    {
        foreach (BackendDescriptor descriptor in FastNet.Backends.Available)
        {
            yield return descriptor.Name;
        }
        foreach (VectorWidth width in VectorWidths.Available.Skip(1))
        {
            yield return $"simd:{width}";
        }
        yield return "simd:1thread";
    }

    private static BackendUnderTest Make(string name)
    {
        Func<IBackend> create = name switch
        {
            "simd:1thread" => () => SimdBackend.Create(1, VectorWidths.Best),
            _ when name.StartsWith("simd:", StringComparison.Ordinal) => () =>
                SimdBackend.Create(Environment.ProcessorCount, Enum.Parse<VectorWidth>(name["simd:".Length..])),
            _ => () => FastNet.Backends.Create(name),
        };
        return new BackendUnderTest(name, create(), Cpu, create);
    }
}
