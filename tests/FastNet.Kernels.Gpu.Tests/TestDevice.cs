namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// The accelerator the suite runs on, from FASTNET_GPU_TESTS: <c>cpu</c> (default: ILGPU's CPU accelerator),
/// <c>cuda</c> (the first CUDA device, FastNet's own kernels) or <c>cuda-cublas</c> (the same device, GEMMs through
/// cuBLAS, which must then load).
/// </summary>
public static class TestDevice
{
    public const string Variable = "FASTNET_GPU_TESTS";

    public static string Name => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } name ? name : "cpu";

    public static bool WantsCuBlas => Name == "cuda-cublas";

    public static GpuBackendOptions Options => Name switch
    {
        "cpu" => GpuBackendOptions.CpuAccelerator,
        "cuda" => GpuBackendOptions.Cuda with { ForceOwnKernels = true },
        "cuda-cublas" => GpuBackendOptions.Cuda,
        _ => throw new InvalidOperationException($"{Variable}={Name}: expected cpu, cuda or cuda-cublas"),
    };

    /// <summary>A backend on the selected device; with cuda-cublas, one that really uses cuBLAS.</summary>
    public static GpuBackend CreateBackend(Func<GpuBackendOptions, GpuBackendOptions>? adjust = null)
    {
        GpuBackendOptions options = adjust is null ? Options : adjust(Options);
        var backend = new GpuBackend(options);
        if (WantsCuBlas && !options.ForceOwnKernels && !backend.UsesCuBlas)
        {
            string device = backend.DeviceName;
            backend.Dispose();
            // Otherwise the cuBLAS run would quietly test FastNet's own kernels a second time.
            throw new InvalidOperationException(
                $"{Variable}=cuda-cublas, but no cuBLAS library loaded on {device} (looked for "
                + $"{CuBlasGemm.LibraryNames} on the loader's path)");
        }
        return backend;
    }
}
