using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// The three training products through cuBLAS (ILGPU.Algorithms' <see cref="CuBlas"/>), in fp32 with the default
/// math mode (no TF32). cuBLAS is column-major: a row-major [r, c] matrix is its transpose, so each row-major
/// C = A·B is issued as Cᵀ = Bᵀ·Aᵀ. Optional: when no cuBLAS library loads, the backend keeps its own kernels.
/// cuBLAS works in a device buffer allocated here and handed over with <c>cublasSetWorkspace</c>, so the backend
/// can count it (<see cref="WorkspaceBytes"/>).
/// NOT YET RUN ON HARDWARE: written against the API and the row/column-major algebra only; the backend-equivalence
/// suite must pass on a CUDA machine before this path is trusted.
/// </summary>
internal sealed class CuBlasGemm : IDisposable
{
    // ILGPU.Algorithms 1.5.3 (API V10, its default) imports libcublas.so.10; CUDA 13 ships only libcublas.so.13.
    // The runtime tries ILGPU's own name before it asks Resolve, so trying it first here too means the library this
    // class binds cublasSetWorkspace from is the one ILGPU created the handle with.
    private static readonly string[] Candidates = ["libcublas.so.10", "libcublas.so.13", "libcublas.so.12", "libcublas.so"];
    private static readonly Lazy<IntPtr> Library = new(Load);
    private static int _resolverInstalled;

    private readonly CuBlas _blas;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense>? _workspace;

    private CuBlasGemm(CuBlas blas, MemoryBuffer1D<byte, Stride1D.Dense>? workspace)
    {
        _blas = blas;
        _workspace = workspace;
    }

    /// <summary>The cuBLAS libraries looked for, in order.</summary>
    public static string LibraryNames => string.Join(", ", Candidates);

    /// <summary>
    /// Bytes of the device workspace cuBLAS runs in, allocated by this class; 0 when the library has no
    /// <c>cublasSetWorkspace_v2</c> (older cuBLAS releases), which leaves cuBLAS on its own, uncounted pool.
    /// </summary>
    public long WorkspaceBytes => _workspace?.LengthInBytes ?? 0;

    /// <summary>cuBLAS on <paramref name="accelerator"/>'s default stream, or null when no library loads.</summary>
    public static CuBlasGemm? TryCreate(CudaAccelerator accelerator)
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 0)
        {
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
        }
        CuBlas blas;
        try
        {
            blas = new CuBlas(accelerator) { Stream = (CudaStream)accelerator.DefaultStream };
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException
            or TypeInitializationException or CuBlasException or NotSupportedException)
        {
            return null;
        }
        try
        {
            // Set after the stream: cublasSetStream puts the handle back on cuBLAS's default workspace.
            return new CuBlasGemm(blas, AttachWorkspace(accelerator, blas));
        }
        catch
        {
            blas.Dispose();
            throw;
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

    /// <summary>Destroys the handle, then frees the workspace it ran in (the caller has synchronized).</summary>
    public void Dispose()
    {
        _blas.Dispose();
        _workspace?.Dispose();
    }

    // cuBLAS's documented recommendation for a user workspace: 32 MiB on Hopper and later, 4 MiB before.
    private static long RecommendedWorkspaceBytes(CudaAccelerator accelerator) =>
        accelerator.Architecture is { Major: >= 9 } ? 32L << 20 : 4L << 20;

    private static MemoryBuffer1D<byte, Stride1D.Dense>? AttachWorkspace(CudaAccelerator accelerator, CuBlas blas)
    {
        if (Library.Value == IntPtr.Zero
            || !NativeLibrary.TryGetExport(Library.Value, "cublasSetWorkspace_v2", out IntPtr export))
        {
            return null;
        }
        var setWorkspace = Marshal.GetDelegateForFunctionPointer<SetWorkspace>(export);
        MemoryBuffer1D<byte, Stride1D.Dense> workspace = accelerator.Allocate1D<byte>(
            RecommendedWorkspaceBytes(accelerator));
        int status = setWorkspace(blas.Handle, workspace.NativePtr, (nuint)workspace.LengthInBytes);
        if (status != 0)
        {
            workspace.Dispose();
            throw new InvalidOperationException(
                $"cublasSetWorkspace_v2 refused a {workspace.LengthInBytes}-byte workspace: cuBLAS status {status}");
        }
        return workspace;
    }

    private static IntPtr Load()
    {
        foreach (string candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero;
    }

    private static IntPtr Resolve(Assembly assembly, string name) =>
        name.Contains("cublas", StringComparison.OrdinalIgnoreCase) ? Library.Value : IntPtr.Zero;

    // cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t, void*, size_t)
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetWorkspace(IntPtr handle, IntPtr workspace, nuint bytes);
}
