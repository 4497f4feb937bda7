namespace FastNet.Kernels.Gpu;

/// <summary>How a <see cref="GpuBackend"/> picks its accelerator.</summary>
public sealed record GpuBackendOptions
{
    /// <summary>Run the kernels on ILGPU's CPU accelerator instead of a CUDA device (tests; no GPU needed).</summary>
    public bool UseCpuAccelerator { get; init; }

    /// <summary>Which CUDA device, in ILGPU's order.</summary>
    public int CudaDeviceIndex { get; init; }

    /// <summary>This process's rank among the ranks of a data-parallel job on its host, or null: with one, the device
    /// is <see cref="DeviceOfLocalRank"/> and <see cref="CudaDeviceIndex"/> is not used.</summary>
    public int? LocalRank { get; init; }

    /// <summary>Which GEMM tiling to use; <see cref="GemmTiling.Auto"/> picks per product.</summary>
    public GemmTiling Tiling { get; init; }

    /// <summary>Never use cuBLAS, even where it is installed: only FastNet's kernels.</summary>
    public bool ForceOwnKernels { get; init; }

    /// <summary>The first CUDA device.</summary>
    public static GpuBackendOptions Cuda => new();

    /// <summary>The environment variables by which an MPI launcher tells a process its rank on its host: Open MPI's,
    /// then MPICH's (Hydra).</summary>
    public static readonly string[] LocalRankVariables = ["OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"];

    /// <summary>The CUDA device, the first one, or under an MPI launcher the one of this process's local rank.</summary>
    public static GpuBackendOptions ForThisProcess() => new() { LocalRank = LocalRankOf(Environment.GetEnvironmentVariable) };

    /// <summary>The local rank an MPI launcher announces in <paramref name="environment"/>, or null.</summary>
    public static int? LocalRankOf(Func<string, string?> environment) =>
        LauncherEnvironment.First(environment, LocalRankVariables, minimum: 0)?.Value;

    /// <summary>The device of local rank <paramref name="localRank"/> among <paramref name="devices"/>: the ranks of
    /// a host take its devices in turn (4 ranks on 2 devices: 0, 1, 0, 1), so each GPU serves as few ranks as it
    /// can.</summary>
    public static int DeviceOfLocalRank(int localRank, int devices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localRank);
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 1);
        return localRank % devices;
    }

    /// <summary>
    /// ILGPU's CPU accelerator shaped like a small GPU (<see cref="GpuDevice.CpuShape"/>), one per process: every
    /// backend made with these options launches the same loaded kernels.
    /// </summary>
    public static GpuBackendOptions CpuAccelerator => new() { UseCpuAccelerator = true };
}
