using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// The three training products through cuBLAS (ILGPU.Algorithms' <see cref="CuBlas"/>), in fp32 with the default
/// math mode (no TF32). cuBLAS is column-major: a row-major [r, c] matrix is its transpose, so each row-major
/// C = A·B is issued as Cᵀ = Bᵀ·Aᵀ. Optional: when no cuBLAS library loads, the backend keeps its own kernels.
/// NOT YET RUN ON HARDWARE: written against the API and the row/column-major algebra only; the backend-equivalence
/// suite must pass on a CUDA machine before this path is trusted.
/// </summary>
internal sealed class CuBlasGemm : IDisposable
{
    // ILGPU.Algorithms 1.5.3 imports libcublas.so.10/11/12; CUDA 13 ships only libcublas.so.13.
    private static readonly string[] Fallbacks = ["libcublas.so.13", "libcublas.so.12", "libcublas.so"];
    private static int _resolverInstalled;

    private readonly CuBlas _blas;

    private CuBlasGemm(CuBlas blas)
    {
        _blas = blas;
    }

    /// <summary>cuBLAS on <paramref name="accelerator"/>'s default stream, or null when no library loads.</summary>
    public static CuBlasGemm? TryCreate(CudaAccelerator accelerator)
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 0)
        {
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
        }
        try
        {
            var blas = new CuBlas(accelerator) { Stream = (CudaStream)accelerator.DefaultStream };
            return new CuBlasGemm(blas);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException
            or TypeInitializationException or CuBlasException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>C[m, n] = A[m, k]·B[k, n], all row-major; C overwritten.</summary>
    public void NN(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k) =>
        _blas.Gemm(CuBlasOperation.NonTranspose, CuBlasOperation.NonTranspose, n, m, k, 1f, b, n, a, k, 0f, c, n);

    /// <summary>C[m, n] = Aᵀ·B with A stored [k, m] and B [k, n].</summary>
    public void TN(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k) =>
        _blas.Gemm(CuBlasOperation.NonTranspose, CuBlasOperation.Transpose, n, m, k, 1f, b, n, a, m, 0f, c, n);

    /// <summary>C[m, n] = A·Bᵀ with A stored [m, k] and B [n, k].</summary>
    public void NT(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k) =>
        _blas.Gemm(CuBlasOperation.Transpose, CuBlasOperation.NonTranspose, n, m, k, 1f, b, k, a, k, 0f, c, n);

    public void Dispose() => _blas.Dispose();

    private static IntPtr Resolve(Assembly assembly, string name)
    {
        if (!name.Contains("cublas", StringComparison.OrdinalIgnoreCase))
        {
            return IntPtr.Zero;
        }
        foreach (string candidate in Fallbacks)
        {
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero;
    }
}
