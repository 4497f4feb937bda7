using ILGPU;
using ILGPU.Runtime;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// The same three products as <see cref="GemmKernels"/> with a <see cref="Tile"/>×<see cref="Tile"/> block per group
/// and an 8×8 register block per thread (four <see cref="Block"/>s), for products large enough to fill the device:
/// twice the arithmetic per shared-memory load. Slices of K are double-buffered in shared memory, so the next slice
/// is staged while the current one is consumed and each slice costs one barrier. Rows of the staged slices are
/// padded by 4 floats so that the strided stores of a row-major A tile fall in different banks.
/// </summary>
public static class GemmLargeKernels
{
    /// <summary>Rows and columns of C per group.</summary>
    public const int Tile = 128;

    /// <summary>Depth of one shared-memory slice.</summary>
    public const int TileK = 8;

    /// <summary>Threads per group: 16×16, each computing 8×8 outputs.</summary>
    public const int Threads = 256;

    /// <summary>
    /// Launch bounds the PTX declares (<c>.maxntid</c>, <c>.minnctapersm</c>): <see cref="Threads"/> threads per group
    /// and two groups per multiprocessor, so at most 128 registers per thread. Without them the assembler chooses the
    /// register count by its own heuristics.
    /// </summary>
    public static KernelSpecialization LaunchBounds => new(Threads, 2);

    private const int Stride = Tile + 4;
    private const int Slice = TileK * Stride;
    private const int Lanes = Block.Spacing;
    private const int Half = 4 * Lanes;

    /// <summary>Forward: A = f(X·W + b); operands as <see cref="GemmKernels.ForwardNN"/>.</summary>
    public static void ForwardNN<TActivation>(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        ArrayView<float> a, int m, int n, int k, int hasBias)
        where TActivation : struct, IActivationFunction
    {
        ArrayView<float> aTiles = SharedMemory.Allocate<float>(2 * Slice);
        ArrayView<float> bTiles = SharedMemory.Allocate<float>(2 * Slice);
        Blocks c = Multiply(x, w, aTiles, bTiles, m, n, k, false, false);
        Store<TActivation>(c, a, bias, m, n, hasBias);
    }

    /// <summary>Weight gradient: dW = Xᵀ·dZ; operands as <see cref="GemmKernels.WeightGradientTN"/>.</summary>
    public static void WeightGradientTN(ArrayView<float> x, ArrayView<float> dz, ArrayView<float> dw, int m, int n, int k)
    {
        ArrayView<float> aTiles = SharedMemory.Allocate<float>(2 * Slice);
        ArrayView<float> bTiles = SharedMemory.Allocate<float>(2 * Slice);
        Blocks c = Multiply(x, dz, aTiles, bTiles, m, n, k, true, false);
        Store<IdentityFunction>(c, dw, dw, m, n, 0);
    }

    /// <summary>Input gradient: dX = dZ·Wᵀ; operands as <see cref="GemmKernels.InputGradientNT"/>.</summary>
    public static void InputGradientNT(ArrayView<float> dz, ArrayView<float> w, ArrayView<float> dx, int m, int n, int k)
    {
        ArrayView<float> aTiles = SharedMemory.Allocate<float>(2 * Slice);
        ArrayView<float> bTiles = SharedMemory.Allocate<float>(2 * Slice);
        Blocks c = Multiply(dz, w, aTiles, bTiles, m, n, k, false, true);
        Store<IdentityFunction>(c, dx, dx, m, n, 0);
    }

    /// <summary>The launch shape for an [m, n] result.</summary>
    public static KernelConfig Config(int m, int n) =>
        new(new Index2D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile), new Index2D(Threads, 1));

    // Quadrants of the 8×8 register block: rows 0-3 or 4-7 (×16) and columns 0-3 or 4-7 (×16).
    private struct Blocks
    {
        public Block Q00, Q01, Q10, Q11;
    }

    private static Blocks Multiply(ArrayView<float> a, ArrayView<float> b, ArrayView<float> aTiles,
        ArrayView<float> bTiles, int m, int n, int k, bool aTransposed, bool bTransposed)
    {
        int tid = Group.IdxX;
        int tx = tid % Lanes, ty = tid / Lanes;
        int m0 = Grid.IdxY * Tile, n0 = Grid.IdxX * Tile;
        int slices = (k + TileK - 1) / TileK;
        Stage(a, b, aTiles, bTiles, 0, m, n, k, m0, n0, 0, tid, aTransposed, bTransposed);
        Group.Barrier();
        Blocks c = default;
        for (int s = 0; s < slices; s++)
        {
            // The other buffer was last read before the previous barrier, so it can be refilled now.
            if (s + 1 < slices)
            {
                Stage(a, b, aTiles, bTiles, ((s + 1) & 1) * Slice, m, n, k, m0, n0, (s + 1) * TileK, tid,
                    aTransposed, bTransposed);
            }
            int current = (s & 1) * Slice;
            c = Step(c, aTiles, bTiles, current, ty, tx);
            c = Step(c, aTiles, bTiles, current + Stride, ty, tx);
            c = Step(c, aTiles, bTiles, current + 2 * Stride, ty, tx);
            c = Step(c, aTiles, bTiles, current + 3 * Stride, ty, tx);
            c = Step(c, aTiles, bTiles, current + 4 * Stride, ty, tx);
            c = Step(c, aTiles, bTiles, current + 5 * Stride, ty, tx);
            c = Step(c, aTiles, bTiles, current + 6 * Stride, ty, tx);
            c = Step(c, aTiles, bTiles, current + 7 * Stride, ty, tx);
            Group.Barrier();
        }
        return c;
    }

    // Each slice holds Tile·TileK = 1024 floats of A and of B: four of each per thread.
    private static void Stage(ArrayView<float> a, ArrayView<float> b, ArrayView<float> aTiles,
        ArrayView<float> bTiles, int offset, int m, int n, int k, int m0, int n0, int k0, int tid, bool aTransposed,
        bool bTransposed)
    {
        LoadA(a, aTiles, offset, m, k, m0, k0, tid, aTransposed);
        LoadA(a, aTiles, offset, m, k, m0, k0, tid + Threads, aTransposed);
        LoadA(a, aTiles, offset, m, k, m0, k0, tid + 2 * Threads, aTransposed);
        LoadA(a, aTiles, offset, m, k, m0, k0, tid + 3 * Threads, aTransposed);
        LoadB(b, bTiles, offset, n, k, n0, k0, tid, bTransposed);
        LoadB(b, bTiles, offset, n, k, n0, k0, tid + Threads, bTransposed);
        LoadB(b, bTiles, offset, n, k, n0, k0, tid + 2 * Threads, bTransposed);
        LoadB(b, bTiles, offset, n, k, n0, k0, tid + 3 * Threads, bTransposed);
    }

    private static void LoadA(ArrayView<float> a, ArrayView<float> aTiles, int offset, int m, int k, int m0, int k0,
        int e, bool aTransposed)
    {
        int mm = aTransposed ? e % Tile : e / TileK;
        int kk = aTransposed ? e / Tile : e % TileK;
        int row = m0 + mm, depth = k0 + kk;
        float value = 0f;
        if (row < m && depth < k)
        {
            value = aTransposed ? a[depth * m + row] : a[row * k + depth];
        }
        aTiles[offset + kk * Stride + mm] = value;
    }

    private static void LoadB(ArrayView<float> b, ArrayView<float> bTiles, int offset, int n, int k, int n0, int k0,
        int e, bool bTransposed)
    {
        int nn = bTransposed ? e / TileK : e % Tile;
        int kk = bTransposed ? e % TileK : e / Tile;
        int column = n0 + nn, depth = k0 + kk;
        float value = 0f;
        if (column < n && depth < k)
        {
            value = bTransposed ? b[column * k + depth] : b[depth * n + column];
        }
        bTiles[offset + kk * Stride + nn] = value;
    }

    private static Blocks Step(Blocks c, ArrayView<float> aTiles, ArrayView<float> bTiles, int at, int ty, int tx)
    {
        int ai = at + ty, bi = at + tx;
        float a0 = aTiles[ai], a1 = aTiles[ai + Lanes], a2 = aTiles[ai + 2 * Lanes], a3 = aTiles[ai + 3 * Lanes];
        float a4 = aTiles[ai + Half], a5 = aTiles[ai + Half + Lanes], a6 = aTiles[ai + Half + 2 * Lanes];
        float a7 = aTiles[ai + Half + 3 * Lanes];
        float b0 = bTiles[bi], b1 = bTiles[bi + Lanes], b2 = bTiles[bi + 2 * Lanes], b3 = bTiles[bi + 3 * Lanes];
        float b4 = bTiles[bi + Half], b5 = bTiles[bi + Half + Lanes], b6 = bTiles[bi + Half + 2 * Lanes];
        float b7 = bTiles[bi + Half + 3 * Lanes];
        c.Q00 = Block.Fma(c.Q00, a0, a1, a2, a3, b0, b1, b2, b3);
        c.Q01 = Block.Fma(c.Q01, a0, a1, a2, a3, b4, b5, b6, b7);
        c.Q10 = Block.Fma(c.Q10, a4, a5, a6, a7, b0, b1, b2, b3);
        c.Q11 = Block.Fma(c.Q11, a4, a5, a6, a7, b4, b5, b6, b7);
        return c;
    }

    private static void Store<TActivation>(Blocks c, ArrayView<float> output, ArrayView<float> bias, int m, int n,
        int hasBias)
        where TActivation : struct, IActivationFunction
    {
        int tid = Group.IdxX;
        int row = Grid.IdxY * Tile + tid / Lanes, column = Grid.IdxX * Tile + tid % Lanes;
        Block.Store<TActivation>(c.Q00, output, bias, m, n, hasBias, row, column);
        Block.Store<TActivation>(c.Q01, output, bias, m, n, hasBias, row, column + Half);
        Block.Store<TActivation>(c.Q10, output, bias, m, n, hasBias, row + Half, column);
        Block.Store<TActivation>(c.Q11, output, bias, m, n, hasBias, row + Half, column + Half);
    }
}
