namespace FastNet.Kernels.Gpu;

/// <summary>How a <see cref="GpuBackend"/> picks its accelerator.</summary>
public sealed record GpuBackendOptions
{
    /// <summary>Run the kernels on ILGPU's CPU accelerator instead of a CUDA device (tests; no GPU needed).</summary>
    public bool UseCpuAccelerator { get; init; }

    /// <summary>Which CUDA device, in ILGPU's order.</summary>
    public int CudaDeviceIndex { get; init; }

    /// <summary>Which GEMM tiling to use; <see cref="GemmTiling.Auto"/> picks per product.</summary>
    public GemmTiling Tiling { get; init; }

    /// <summary>Never use cuBLAS, even where it is installed: only FastNet's kernels.</summary>
    public bool ForceOwnKernels { get; init; }

    /// <summary>The first CUDA device.</summary>
    public static GpuBackendOptions Cuda => new();

    /// <summary>
    /// ILGPU's CPU accelerator shaped like a small GPU (<see cref="GpuDevice.CpuShape"/>), one per process: every
    /// backend made with these options launches the same loaded kernels.
    /// </summary>
    public static GpuBackendOptions CpuAccelerator => new() { UseCpuAccelerator = true };
}
