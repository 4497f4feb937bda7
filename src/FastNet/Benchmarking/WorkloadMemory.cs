namespace FastNet.Benchmarking;

/// <summary>What a training workload holds on its backend, item by item, in bytes, as FastNet allocates it.</summary>
/// <param name="Parameters">Weights and biases.</param>
/// <param name="Gradients">One gradient per parameter.</param>
/// <param name="OptimizerState">The optimizer's slots (momentum, second moments) per trained parameter.</param>
/// <param name="ActivationsAndDeltas">One activation and one delta buffer per layer, and the pre-activations of each
/// layer whose activation keeps them (GELU), for the largest batch.</param>
/// <param name="Batch">The gathered batch: its features and targets.</param>
/// <param name="Dataset">The dataset on the backend: features, targets and the shuffled row order.</param>
/// <param name="Scratch">The backend's own working buffers (the SIMD backend's GEMM packing buffers and tiles).</param>
public sealed record MemoryBreakdown(long Parameters, long Gradients, long OptimizerState, long ActivationsAndDeltas,
    long Batch, long Dataset, long Scratch)
{
    /// <summary>The sum of the items.</summary>
    public long Total => Parameters + Gradients + OptimizerState + ActivationsAndDeltas + Batch + Dataset + Scratch;
}

/// <summary>The memory of one workload: what it needs by computation, and the resident memory measured around it.</summary>
/// <param name="Computed">What the workload allocates, item by item.</param>
/// <param name="ComputedIsResident">True when <paramref name="Computed"/> lives in this process's memory (a host
/// backend), false when it lives on a device.</param>
/// <param name="BaselineBytes">Resident memory before anything of the workload was allocated (after a garbage
/// collection): the runtime, the code, the backend's threads.</param>
/// <param name="PeakBytes">The highest resident memory during the workload, or null where it cannot be measured per
/// workload (<paramref name="PeakUnavailable"/> says why).</param>
/// <param name="PeakUnavailable">Why there is no per-workload peak, or null.</param>
public sealed record WorkloadMemory(MemoryBreakdown Computed, bool ComputedIsResident, long BaselineBytes,
    long? PeakBytes, string? PeakUnavailable)
{
    /// <summary>Peak − baseline − what the workload computes to hold in resident memory: memory nobody accounted
    /// for (the runtime's own: compiled code, garbage not yet collected, allocator overhead), or null without a
    /// peak.</summary>
    public long? DifferenceBytes => PeakBytes - BaselineBytes - (ComputedIsResident ? Computed.Total : 0);
}
