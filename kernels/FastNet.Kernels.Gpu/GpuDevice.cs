using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// An ILGPU context and accelerator with every kernel loaded on it. ILGPU compiles kernels per accelerator and keeps
/// no cache on disk, so a device loads them once and all the backends on it launch the same ones. ILGPU's CPU
/// accelerator is one per process, made on first use and never closed (tests build many backends on it); a CUDA
/// device is opened for one backend and closed with it.
/// </summary>
internal sealed class GpuDevice : IDisposable
{
    private static readonly Lazy<GpuDevice> ProcessCpu = new(() => Open(CreateCpu(), isProcessWide: true));

    private readonly Context _context;

    private GpuDevice(Context context, Accelerator accelerator, bool isProcessWide)
    {
        _context = context;
        Accelerator = accelerator;
        IsProcessWide = isProcessWide;
        Kernels = new GpuKernels(accelerator);
    }

    /// <summary>
    /// The CPU accelerator's shape: warps of 32 threads, 8 warps per group, one multiprocessor. The GEMM groups need
    /// 256 threads, more than ILGPU's default CPU device allows.
    /// </summary>
    public static CPUDevice CpuShape => new(32, 8, 1);

    public Accelerator Accelerator { get; }

    /// <summary>The kernels, loaded on <see cref="Accelerator"/> (the GEMMs on their first launch).</summary>
    public GpuKernels Kernels { get; }

    /// <summary>True for the CPU accelerator the whole process shares: no backend may dispose it.</summary>
    public bool IsProcessWide { get; }

    /// <summary>The device <paramref name="options"/> names: the process's CPU accelerator, or a new CUDA one that
    /// the caller owns.</summary>
    public static GpuDevice For(GpuBackendOptions options) => options.UseCpuAccelerator
        ? ProcessCpu.Value
        : Open(CreateCuda(options), isProcessWide: false);

    // O1 everywhere: GPU.md records O2 moving shared loads across barriers; the CPU path uses the same level as CUDA.
    internal static Context CreateCudaContext() => Context.Create(builder => builder
        .Cuda()
        .Optimize(OptimizationLevel.O1)
        .EnableAlgorithms());

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }

    private static GpuDevice Open((Context Context, Accelerator Accelerator) created, bool isProcessWide)
    {
        (Context context, Accelerator accelerator) = created;
        try
        {
            if (accelerator.MaxNumThreadsPerGroup < GemmKernels.Threads)
            {
                throw new InvalidOperationException(
                    $"{accelerator.Name} allows {accelerator.MaxNumThreadsPerGroup} threads per group; "
                    + $"the kernels need {GemmKernels.Threads}");
            }
            return new GpuDevice(context, accelerator, isProcessWide);
        }
        catch
        {
            accelerator.Dispose();
            context.Dispose();
            throw;
        }
    }

    private static (Context, Accelerator) CreateCpu()
    {
        var context = Context.Create(builder => builder
            .CPU(CpuShape)
            .Optimize(OptimizationLevel.O1)
            .EnableAlgorithms());
        try
        {
            return (context, context.GetCPUDevice(0).CreateCPUAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static (Context, Accelerator) CreateCuda(GpuBackendOptions options)
    {
        var context = CreateCudaContext();
        try
        {
            int count = context.GetCudaDevices().Count;
            if (count == 0)
            {
                throw new InvalidOperationException(GpuBackendInfo.NoCudaDevice);
            }
            // under an MPI launcher the ranks of a host take its devices in turn
            int deviceIndex = options.LocalRank is int rank
                ? GpuBackendOptions.DeviceOfLocalRank(rank, count)
                : options.CudaDeviceIndex;
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(deviceIndex, count);
            return (context, context.CreateCudaAccelerator(deviceIndex));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }
}
