using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
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

    // the CUDA driver's library under the names its installs provide (Linux, then Windows)
    private static readonly string[] DriverLibraries = ["libcuda.so.1", "libcuda.so", "nvcuda.dll"];

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
            using Context context = GpuDevice.CreateCudaContext();
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
            devices.Add(Describe(GpuDevice.CpuShape, "cpu"));
        }
        return devices;
    }

    private static GpuDeviceInfo Describe(Device device, string kind) => new(device.Name, kind, device.MemorySize,
        device.NumMultiprocessors, device.WarpSize, device.MaxNumThreadsPerGroup, device.MaxSharedMemoryPerGroup);

    private static string? Probe()
    {
        // Without the driver's library ILGPU finds no device either; looking for the library first spares loading
        // ILGPU and building a context (about 0.17 CPU-seconds and 8 MiB of start-up) where there is no CUDA.
        if (!DriverLibraries.Any(Loads))
        {
            return $"{NoCudaDevice} (no CUDA driver library: {string.Join(", ", DriverLibraries)})";
        }
        return ProbeDevices();
    }

    private static bool Loads(string library)
    {
        if (!NativeLibrary.TryLoad(library, out IntPtr handle))
        {
            return false;
        }
        NativeLibrary.Free(handle);
        return true;
    }

    // apart from Probe, so that compiling Probe does not load ILGPU
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? ProbeDevices()
    {
        try
        {
            using Context context = GpuDevice.CreateCudaContext();
            return context.GetCudaDevices().Count > 0 ? null : NoCudaDevice;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return $"{NoCudaDevice} ({e.Message})";
        }
    }
}
