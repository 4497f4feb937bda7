using ILGPU;
using ILGPU.Runtime;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// Tiled SGEMM for the three products of training, C[M, N] = A[M, K]·B[K, N], each with its own epilogue.
/// <para>
/// A group of <see cref="Threads"/> threads owns a <see cref="TileM"/>×<see cref="TileN"/> block of C and walks K in
/// slices of <see cref="TileK"/>: it stages the A and B slices in shared memory (k-major, so a step reads contiguous
/// rows), then every thread accumulates a 4×4 register block. The thread's rows and columns are strided by 16, so a
/// warp's loads from the B tile and its stores to C are contiguous. The k-loop body is straight-line code (ILGPU does
/// not unroll), and out-of-range elements are staged as zeros, so edges need no special path.
/// </para>
/// </summary>
public static class GemmKernels
{
    /// <summary>Rows of C per group.</summary>
    public const int TileM = 64;

    /// <summary>Columns of C per group.</summary>
    public const int TileN = 64;

    /// <summary>Depth of one shared-memory slice.</summary>
    public const int TileK = 8;

    /// <summary>Threads per group: 16×16, each computing 4×4 outputs.</summary>
    public const int Threads = 256;

    /// <summary>
    /// Launch bounds the PTX declares (<c>.maxntid</c>, <c>.minnctapersm</c>): <see cref="Threads"/> threads per group
    /// and two groups per multiprocessor, so at most 128 registers per thread. Without them the assembler chooses the
    /// register count by its own heuristics.
    /// </summary>
    public static KernelSpecialization LaunchBounds => new(Threads, 2);

    private const int Lanes = Block.Spacing;

    // Staged rows are padded by 4 floats: the row-major A tile is stored with a stride of a row per thread, which
    // would otherwise put 8 consecutive threads in one bank.
    private const int Stride = TileM + 4;

    /// <summary>Forward: A = f(X·W + b) with f = <typeparamref name="TActivation"/>. x: [m, k]; w: [k, n]; bias: [n]
    /// (read only when hasBias ≠ 0); a: [m, n].</summary>
    public static void ForwardNN<TActivation>(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        ArrayView<float> a, int m, int n, int k, int hasBias)
        where TActivation : struct, IActivationFunction
    {
        ArrayView<float> aTile = SharedMemory.Allocate<float>(TileK * Stride);
        ArrayView<float> bTile = SharedMemory.Allocate<float>(TileK * Stride);
        Block c = Multiply(x, w, aTile, bTile, m, n, k, false, false);
        Store<TActivation>(c, a, bias, m, n, hasBias);
    }

    /// <summary>Weight gradient: dW = Xᵀ·dZ. x: [k, m] (batch × inputs); dz: [k, n]; dw: [m, n], overwritten.</summary>
    public static void WeightGradientTN(ArrayView<float> x, ArrayView<float> dz, ArrayView<float> dw, int m, int n, int k)
    {
        ArrayView<float> aTile = SharedMemory.Allocate<float>(TileK * Stride);
        ArrayView<float> bTile = SharedMemory.Allocate<float>(TileK * Stride);
        Block c = Multiply(x, dz, aTile, bTile, m, n, k, true, false);
        Store<IdentityFunction>(c, dw, dw, m, n, 0);
    }

    /// <summary>Input gradient: dX = dZ·Wᵀ. dz: [m, k]; w: [n, k] (inputs × outputs); dx: [m, n], overwritten.</summary>
    public static void InputGradientNT(ArrayView<float> dz, ArrayView<float> w, ArrayView<float> dx, int m, int n, int k)
    {
        ArrayView<float> aTile = SharedMemory.Allocate<float>(TileK * Stride);
        ArrayView<float> bTile = SharedMemory.Allocate<float>(TileK * Stride);
        Block c = Multiply(dz, w, aTile, bTile, m, n, k, false, true);
        Store<IdentityFunction>(c, dx, dx, m, n, 0);
    }

    /// <summary>The launch shape for an [m, n] result: one group per tile, x over columns, y over rows.</summary>
    public static KernelConfig Config(int m, int n) =>
        new(new Index2D((n + TileN - 1) / TileN, (m + TileM - 1) / TileM), new Index2D(Threads, 1));

    // aTransposed: A is stored [k, m]; bTransposed: B is stored [n, k]. Both are constants at every call site.
    private static Block Multiply(ArrayView<float> a, ArrayView<float> b, ArrayView<float> aTile,
        ArrayView<float> bTile, int m, int n, int k, bool aTransposed, bool bTransposed)
    {
        int tid = Group.IdxX;
        int tx = tid % Lanes, ty = tid / Lanes;
        int m0 = Grid.IdxY * TileM, n0 = Grid.IdxX * TileN;
        Block c = default;
        for (int k0 = 0; k0 < k; k0 += TileK)
        {
            LoadA(a, aTile, m, k, m0, k0, tid, aTransposed);
            LoadA(a, aTile, m, k, m0, k0, tid + Threads, aTransposed);
            LoadB(b, bTile, n, k, n0, k0, tid, bTransposed);
            LoadB(b, bTile, n, k, n0, k0, tid + Threads, bTransposed);
            Group.Barrier();
            c = Step(c, aTile, bTile, 0, ty, tx);
            c = Step(c, aTile, bTile, 1, ty, tx);
            c = Step(c, aTile, bTile, 2, ty, tx);
            c = Step(c, aTile, bTile, 3, ty, tx);
            c = Step(c, aTile, bTile, 4, ty, tx);
            c = Step(c, aTile, bTile, 5, ty, tx);
            c = Step(c, aTile, bTile, 6, ty, tx);
            c = Step(c, aTile, bTile, 7, ty, tx);
            Group.Barrier();
        }
        return c;
    }

    // Stages element e of the A slice at aTile[kk·Stride + mm]; consecutive threads read consecutive addresses of
    // whichever dimension is contiguous in memory.
    private static void LoadA(ArrayView<float> a, ArrayView<float> aTile, int m, int k, int m0, int k0, int e,
        bool aTransposed)
    {
        int mm, kk;
        if (aTransposed)
        {
            kk = e / TileM;
            mm = e % TileM;
        }
        else
        {
            mm = e / TileK;
            kk = e % TileK;
        }
        int row = m0 + mm, depth = k0 + kk;
        float value = 0f;
        if (row < m && depth < k)
        {
            value = aTransposed ? a[depth * m + row] : a[row * k + depth];
        }
        aTile[kk * Stride + mm] = value;
    }

    private static void LoadB(ArrayView<float> b, ArrayView<float> bTile, int n, int k, int n0, int k0, int e,
        bool bTransposed)
    {
        int nn, kk;
        if (bTransposed)
        {
            nn = e / TileK;
            kk = e % TileK;
        }
        else
        {
            kk = e / TileN;
            nn = e % TileN;
        }
        int column = n0 + nn, depth = k0 + kk;
        float value = 0f;
        if (column < n && depth < k)
        {
            value = bTransposed ? b[column * k + depth] : b[depth * n + column];
        }
        bTile[kk * Stride + nn] = value;
    }

    private static Block Step(Block c, ArrayView<float> aTile, ArrayView<float> bTile, int kk, int ty, int tx)
    {
        int ai = kk * Stride + ty, bi = kk * Stride + tx;
        float a0 = aTile[ai], a1 = aTile[ai + Lanes], a2 = aTile[ai + 2 * Lanes], a3 = aTile[ai + 3 * Lanes];
        float b0 = bTile[bi], b1 = bTile[bi + Lanes], b2 = bTile[bi + 2 * Lanes], b3 = bTile[bi + 3 * Lanes];
        return Block.Fma(c, a0, a1, a2, a3, b0, b1, b2, b3);
    }

    private static void Store<TActivation>(Block c, ArrayView<float> output, ArrayView<float> bias, int m, int n,
        int hasBias)
        where TActivation : struct, IActivationFunction
    {
        int tid = Group.IdxX;
        int row = Grid.IdxY * TileM + tid / Lanes, column = Grid.IdxX * TileN + tid % Lanes;
        Block.Store<TActivation>(c, output, bias, m, n, hasBias, row, column);
    }
}
