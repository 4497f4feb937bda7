using System.Collections.Concurrent;
using FastNet.Kernels.Gpu;
using FastNet.Kernels.Gpu.Tests;
using FastNet.Kernels.Reference;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// Binds the shared suites (compiled here from FastNet.Kernels.Tests) to the GPU backend on the device
/// <see cref="TestDevice"/> selects: ILGPU's CPU accelerator by default, a CUDA device with FASTNET_GPU_TESTS=cuda or
/// cuda-cublas. Each backend is compiled once per process and shared with <see cref="GpuFixture"/>. The dense-layer
/// cases also run with the 128×128 and the 128×256 tilings forced, so tiny shapes reach their kernels. Sizes are cut
/// to what the kernels need proved (tile edges, the row kernels' unrolling, the loss's group limit): on the CPU
/// accelerator every GPU thread is emulated.
/// </summary>
public static class BackendsUnderTest
{
    /// <summary>The test collection of every class that uses the shared instances.</summary>
    public const string Collection = GpuCollection.Name;

    // Shapes (batch, inputs, outputs) for automatic tiling: single elements, shapes below one tile, shapes that cross
    // tile edges, and one that reaches every thread's last row and column of a 64×64 tile (depth 8, each thread owning
    // rows and columns 16 apart) in all three products. At batch 1 the row kernels run instead: inputs past their
    // unrolled loop (8 rows of 8 parts) and its tail, outputs across column groups and more than two per lane, inputs
    // across groups of warps. The backward pass meets every activation on (1, 1, 1), (3, 7, 17) (the activation
    // gradient kernel) and (1, 70, 33) (the row kernel, which forms the derivative itself); the other shapes prove
    // the products, chunks and tiles, which do not depend on the activation, once each.
    private static readonly CaseSizes AutoSizes = new(
        Layers: [(1, 1, 1), (3, 7, 17), (17, 33, 3), (67, 9, 66), (50, 53, 51), (1, 131, 70), (1, 70, 33)],
        // 2200 rows: above the single-group limit, rows spread over groups and their sums added by a second launch
        Losses: [(1, 1), (3, 7), (17, 10), (300, 3), (2200, 30)],
        OptimizerLengths: [1, 7, 300],
        Gathers: [(5, 1, 3), (9, 5, 4), (100, 7, 33)],
        // batch 1 only: above it the GPU's fused step is the composition itself, so a comparison would prove nothing.
        // The row kernel takes one warp per input, 8 per group, its lanes stepping over the outputs: a single lane of
        // one warp; then a second group holding one input (9), and a full pass of 32 lanes with a ragged 19 (51).
        FusedSteps: [(1, 1, 1), (1, 9, 51)],
        // the norms' single group of 256 threads: one element; and 300, where 44 threads take a second element
        TrustRatioLengths: [1, 300],
        // 64×64 tiles crossing both edges (with 128 outputs or more the 128×128 tiles, bound below, would take it),
        // and three row chunks of the bias gradient, whose sum has an order to keep (two would commute)
        Determinism: (131, 19, 66),
        BackwardWithEveryActivation: [(1, 1, 1), (3, 7, 17), (1, 70, 33)],
        // a part of a larger batch: one group, and rows over groups (the two loss kernels)
        LossShares: [(3, 7), (2200, 30)],
        FusedStepOptionsPairwise: true);

    // The 128×128 kernels: every thread's last row and column, and edges of two tiles. Only the products differ from
    // the automatic tiling, and the backward ones do not depend on the activation: the forward pass is checked with
    // every activation fused into it (the others are an identity product, then the same kernel as above), the
    // backward pass once per shape.
    private static readonly CaseSizes LargeSizes = AutoSizes with
    {
        Layers = [(1, 1, 1), (131, 19, 130), (115, 121, 117)],
        Determinism = (131, 19, 130),
        BackwardWithEveryActivation = [],
        FusedActivationsOnly = true,
    };

    // The 128×256 kernels, inputs and outputs multiples of 4 so that they apply: one vector; one tile with a partial k
    // slice; every thread's rows and columns of a full tile and the edges of the next ones (forward and dX: m = batch
    // crosses 128 and n crosses 256, k = 12 ends in half a slice); then dW crossing both tile edges (132 > 128,
    // 260 > 256) with dX in one tile of 33 slices, and dX crossing both edges with dW in three row tiles, k = 131.
    private static readonly CaseSizes WideSizes = AutoSizes with
    {
        Layers = [(1, 4, 4), (5, 36, 24), (131, 12, 260), (13, 132, 260), (131, 260, 12)],
        Determinism = (131, 20, 132),
        BackwardWithEveryActivation = [], // as for the 128×128 kernels
        FusedActivationsOnly = true,
    };

    private static readonly GemmTiling[] Bound = [GemmTiling.Auto, GemmTiling.Large, GemmTiling.Wide];

    private static readonly ConcurrentDictionary<GemmTiling, Lazy<GpuBackend>> Made = new();

    static BackendsUnderTest() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (Lazy<GpuBackend> made in Made.Values.Where(m => m.IsValueCreated))
        {
            made.Value.Dispose();
        }
    };

    /// <summary>The GPU backend with automatic tiling.</summary>
    public static IReadOnlyList<string> Names => [Name(GemmTiling.Auto)];

    /// <summary>The names for the dense-layer cases: automatic tiling, then the 128×128 and the 128×256 tilings
    /// forced.</summary>
    public static IReadOnlyList<string> LayerCaseNames => [.. Bound.Select(Name)];

    /// <summary>The training-step suite gives each optimizer one loss here: every launch is emulated on the CPU, and
    /// the loss and optimizer kernels are each checked on their own by the equivalence suite.</summary>
    public static bool EveryOptimizerWithEveryLoss => false;

    /// <summary><see cref="Names"/> as theory data.</summary>
    public static TheoryData<string> Candidates => [.. Names];

    /// <summary><see cref="LayerCaseNames"/> as theory data.</summary>
    public static TheoryData<string> LayerCandidates => [.. LayerCaseNames];

    /// <summary>The backend called <paramref name="name"/>, compiled on first use.</summary>
    public static BackendUnderTest Get(string name)
    {
        GemmTiling tiling = Bound.Single(t => Name(t) == name);
        CaseSizes sizes = tiling switch
        {
            GemmTiling.Large => LargeSizes,
            GemmTiling.Wide => WideSizes,
            _ => AutoSizes,
        };
        return new BackendUnderTest(name, Gpu(tiling), sizes, CreateAnother: null);
    }

    /// <summary>The shared backend with <paramref name="tiling"/> (Large and Wide forced, on FastNet's own
    /// kernels).</summary>
    public static GpuBackend Gpu(GemmTiling tiling) => Made.GetOrAdd(tiling, t => new Lazy<GpuBackend>(() =>
        t == GemmTiling.Auto ? TestDevice.CreateBackend()
            : TestDevice.CreateBackend(o => o with { Tiling = t, ForceOwnKernels = true }))).Value;

    /// <summary>A new reference backend: the yardstick.</summary>
    public static ReferenceBackend Reference() => new();

    private static string Name(GemmTiling tiling) => tiling switch
    {
        GemmTiling.Large => $"gpu:{TestDevice.Name}:128x128-tiles",
        GemmTiling.Wide => $"gpu:{TestDevice.Name}:128x256-tiles",
        _ => $"gpu:{TestDevice.Name}",
    };
}
