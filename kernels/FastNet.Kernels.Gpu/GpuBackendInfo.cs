using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace FastNet.Kernels.Gpu;

/// <summary>What ILGPU reports about one device, for listings such as <c>fastnet info</c>.</summary>
/// <param name="Name">The device's name.</param>
/// <param name="Kind">"cuda", or "cpu" for ILGPU's CPU accelerator.</param>
/// <param name="MemoryBytes">Device memory in bytes.</param>
/// <param name="Multiprocessors">Streaming multiprocessors.</param>
/// <param name="WarpSize">Threads per warp.</param>
/// <param name="MaxThreadsPerGroup">Most threads one group may have.</param>
/// <param name="MaxSharedMemoryPerGroup">Shared memory one group may use, in bytes.</param>
public sealed record GpuDeviceInfo(string Name, string Kind, long MemoryBytes, int Multiprocessors, int WarpSize,
    int MaxThreadsPerGroup, long MaxSharedMemoryPerGroup);

/// <summary>The "gpu" backend as the registry and the CLI see it: its descriptor and the devices it could use.</summary>
public static class GpuBackendInfo
{
    /// <summary>What users pass to <c>--backend</c>.</summary>
    public const string Name = "gpu";

    /// <summary>The reason given when no CUDA device is visible.</summary>
    public const string NoCudaDevice = "no CUDA device found";

    // Probing CUDA costs tens to hundreds of milliseconds; the answer does not change while the process runs.
    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>
    /// The descriptor a <see cref="BackendRegistry"/> is built with: priority 20, so <c>auto</c> prefers it to the
    /// CPU backends when a CUDA device exists and skips it otherwise.
    /// </summary>
    public static BackendDescriptor Descriptor { get; } = new(Name,
        "ILGPU kernels on the first CUDA device (a rank of an MPI job: its local rank's, modulo the devices)", 20,
        WhyUnavailable, () => new GpuBackend(GpuBackendOptions.ForThisProcess()));

    /// <summary>The name of the same backend with FastNet's own GEMM kernels even where cuBLAS loads.</summary>
    public const string OwnKernelsName = "gpu-own";

    /// <summary>
    /// The descriptor of <see cref="OwnKernelsName"/>: priority 15, so <c>auto</c> never picks it over
    /// <see cref="Descriptor"/>; it is there to compare FastNet's kernels with cuBLAS side by side.
    /// </summary>
    public static BackendDescriptor OwnKernelsDescriptor { get; } = new(OwnKernelsName,
        "the gpu backend with FastNet's own GEMM kernels, never cuBLAS", 15, WhyUnavailable,
        () => new GpuBackend(GpuBackendOptions.ForThisProcess() with { ForceOwnKernels = true }));

    /// <summary>Null when a CUDA device is visible, else why the backend cannot run here.</summary>
    public static string? WhyUnavailable() => Unavailable.Value;

    /// <summary>
    /// The CUDA devices ILGPU sees, in the order <see cref="GpuBackendOptions.CudaDeviceIndex"/> counts them, then, when
    /// <paramref name="includeCpuAccelerator"/> is set, the CPU accelerator the tests run the kernels on.
    /// </summary>
    public static IReadOnlyList<GpuDeviceInfo> ListDevices(bool includeCpuAccelerator = false)
    {
        var devices = new List<GpuDeviceInfo>();
        try
        {
            using Context context = CreateCudaContext();
            foreach (CudaDevice device in context.GetCudaDevices())
            {
                devices.Add(Describe(device, "cuda"));
            }
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            // No usable CUDA driver: there are simply no CUDA devices to list.
        }
        if (includeCpuAccelerator)
        {
            devices.Add(Describe(new CPUDevice(32, 8, 1), "cpu"));
        }
        return devices;
    }

    internal static Context CreateCudaContext() => Context.Create(builder => builder
        .Cuda()
        .Optimize(OptimizationLevel.O1)
        .EnableAlgorithms());

    private static GpuDeviceInfo Describe(Device device, string kind) => new(device.Name, kind, device.MemorySize,
        device.NumMultiprocessors, device.WarpSize, device.MaxNumThreadsPerGroup, device.MaxSharedMemoryPerGroup);

    private static string? Probe()
    {
        try
        {
            using Context context = CreateCudaContext();
            return context.GetCudaDevices().Count > 0 ? null : NoCudaDevice;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return $"{NoCudaDevice} ({e.Message})";
        }
    }
}
