using ILGPU;
using ILGPU.Runtime;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// The same three products as <see cref="GemmKernels"/> with a <see cref="TileM"/>×<see cref="TileN"/> block per
/// group and an 8×16 register block per thread (<see cref="WideBlock"/>), moving data as 16-byte vectors
/// (<see cref="Float4"/>): global loads, shared loads and stores of C. The A slice is stored k-major (transposed
/// while staging when A is row-major), so a thread reads its 8 rows as two vectors and its 16 columns of B as four.
/// Slices of K go through two shared-memory stages: the next slice's global loads are issued before the current
/// slice's arithmetic and stored into the other stage after it, so each slice costs one barrier.
/// <para>
/// The vectors need every operand's rows to be a multiple of <see cref="VectorWidth"/> floats long and to start on
/// a 16-byte boundary: the caller must check <see cref="Fits"/> and use another tiling otherwise. Out-of-range
/// vectors are staged as zeros and stores are guarded per vector (a vector lies wholly inside or outside a row), so
/// any m, n and k are exact.
/// </para>
/// </summary>
public static class GemmWideKernels
{
    /// <summary>Rows of C per group.</summary>
    public const int TileM = 128;

    /// <summary>Columns of C per group.</summary>
    public const int TileN = 256;

    /// <summary>Depth of one shared-memory slice.</summary>
    public const int TileK = 8;

    /// <summary>Threads per group: 16×16, each computing 8×16 outputs.</summary>
    public const int Threads = 256;

    /// <summary>
    /// Launch bounds the PTX declares (<c>.maxntid</c>, <c>.minnctapersm</c>): <see cref="Threads"/> threads per group
    /// and one group per multiprocessor, as the 8×16 outputs per thread need up to 255 registers. Without them the
    /// assembler chooses the register count by its own heuristics.
    /// </summary>
    public static KernelSpecialization LaunchBounds => new(Threads, 1);

    /// <summary>Floats per vector load or store.</summary>
    public const int VectorWidth = 4;

    private const int Lanes = 16;

    // Staged rows are padded by one vector: the transposing stores of a row-major operand write four rows of the
    // slice per thread, and the padding puts the two halves of a warp in different banks.
    private const int StrideA = TileM + VectorWidth;
    private const int StrideB = TileN + VectorWidth;

    // Shared-memory sizes and offsets below are in vectors.
    private const int RowA = StrideA / VectorWidth;
    private const int RowB = StrideB / VectorWidth;
    private const int SliceA = TileK * RowA;
    private const int SliceB = TileK * RowB;

    // A thread's rows are two runs of 4, 64 apart; its columns four runs of 4, 64 apart.
    private const int RunSpacing = 64;
    private const int RunSpacingVectors = RunSpacing / VectorWidth;

    /// <summary>Shared memory per group: two stages of the A and B slices, 25,088 bytes.</summary>
    public const int SharedBytes = 2 * (SliceA + SliceB) * 16;

    /// <summary>
    /// True when a product's operands suit the vectors: every row length a multiple of <see cref="VectorWidth"/> and
    /// every view starting at a multiple of <see cref="VectorWidth"/> floats (allocations themselves are aligned).
    /// For a dense layer the row lengths are its inputs and outputs in all three products.
    /// </summary>
    public static bool Fits(int inputs, int outputs, params ReadOnlySpan<BufferView> views)
    {
        if (inputs % VectorWidth != 0 || outputs % VectorWidth != 0)
        {
            return false;
        }
        foreach (BufferView view in views)
        {
            if (view.Offset % VectorWidth != 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Forward: A = f(X·W + b); operands as <see cref="GemmKernels.ForwardNN"/>, rows as <see cref="Fits"/>.
    /// </summary>
    public static void ForwardNN<TActivation>(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        ArrayView<float> a, int m, int n, int k, int hasBias)
        where TActivation : struct, IActivationFunction
    {
        ArrayView<Float4> aTiles = SharedMemory.Allocate<Float4>(2 * SliceA);
        ArrayView<Float4> bTiles = SharedMemory.Allocate<Float4>(2 * SliceB);
        WideBlock c = Multiply(Vectors(x), Vectors(w), aTiles, bTiles, m, n, k, false, false);
        Store<TActivation>(c, Vectors(a), bias, m, n, hasBias);
    }

    /// <summary>Weight gradient: dW = Xᵀ·dZ; operands as <see cref="GemmKernels.WeightGradientTN"/>, rows as
    /// <see cref="Fits"/>.</summary>
    public static void WeightGradientTN(ArrayView<float> x, ArrayView<float> dz, ArrayView<float> dw, int m, int n, int k)
    {
        ArrayView<Float4> aTiles = SharedMemory.Allocate<Float4>(2 * SliceA);
        ArrayView<Float4> bTiles = SharedMemory.Allocate<Float4>(2 * SliceB);
        WideBlock c = Multiply(Vectors(x), Vectors(dz), aTiles, bTiles, m, n, k, true, false);
        Store<IdentityFunction>(c, Vectors(dw), dw, m, n, 0);
    }

    /// <summary>Input gradient: dX = dZ·Wᵀ; operands as <see cref="GemmKernels.InputGradientNT"/>, rows as
    /// <see cref="Fits"/>.</summary>
    public static void InputGradientNT(ArrayView<float> dz, ArrayView<float> w, ArrayView<float> dx, int m, int n, int k)
    {
        ArrayView<Float4> aTiles = SharedMemory.Allocate<Float4>(2 * SliceA);
        ArrayView<Float4> bTiles = SharedMemory.Allocate<Float4>(2 * SliceB);
        WideBlock c = Multiply(Vectors(dz), Vectors(w), aTiles, bTiles, m, n, k, false, true);
        Store<IdentityFunction>(c, Vectors(dx), dx, m, n, 0);
    }

    /// <summary>The launch shape for an [m, n] result: one group per tile, x over columns, y over rows.</summary>
    public static KernelConfig Config(int m, int n) =>
        new(new Index2D((n + TileN - 1) / TileN, (m + TileM - 1) / TileM), new Index2D(Threads, 1));

    // The alignment mark is what lets ILGPU emit vector instructions; Fits makes it true.
    private static ArrayView<Float4> Vectors(ArrayView<float> view) => view.Cast<Float4>().AsAligned(16);

    // One slice's global loads, held in registers while the previous slice is consumed.
    private struct Fetched
    {
        public Float4 A, B0, B1;
    }

    // aTransposed: A is stored [k, m]; bTransposed: B is stored [n, k]. Both are constants at every call site.
    private static WideBlock Multiply(ArrayView<Float4> a, ArrayView<Float4> b, ArrayView<Float4> aTiles,
        ArrayView<Float4> bTiles, int m, int n, int k, bool aTransposed, bool bTransposed)
    {
        int tid = Group.IdxX;
        int m0 = Grid.IdxY * TileM, n0 = Grid.IdxX * TileN;
        int aAt = tid / Lanes, bAt = tid % Lanes;
        int slices = (k + TileK - 1) / TileK;
        Put(Fetch(a, b, m, n, k, m0, n0, 0, tid, aTransposed, bTransposed), aTiles, bTiles, 0, tid, aTransposed,
            bTransposed);
        Group.Barrier();
        WideBlock c = default;
        for (int s = 0; s < slices; s++)
        {
            // Past the last slice every load is out of range and stages zeros that nothing reads: no branch needed.
            Fetched next = Fetch(a, b, m, n, k, m0, n0, (s + 1) * TileK, tid, aTransposed, bTransposed);
            int ai = (s & 1) * SliceA + aAt, bi = (s & 1) * SliceB + bAt;
            c = Step(c, aTiles, bTiles, ai, bi);
            c = Step(c, aTiles, bTiles, ai + RowA, bi + RowB);
            c = Step(c, aTiles, bTiles, ai + 2 * RowA, bi + 2 * RowB);
            c = Step(c, aTiles, bTiles, ai + 3 * RowA, bi + 3 * RowB);
            c = Step(c, aTiles, bTiles, ai + 4 * RowA, bi + 4 * RowB);
            c = Step(c, aTiles, bTiles, ai + 5 * RowA, bi + 5 * RowB);
            c = Step(c, aTiles, bTiles, ai + 6 * RowA, bi + 6 * RowB);
            c = Step(c, aTiles, bTiles, ai + 7 * RowA, bi + 7 * RowB);
            // The other stage was last read before the previous barrier.
            Put(next, aTiles, bTiles, (s + 1) & 1, tid, aTransposed, bTransposed);
            Group.Barrier();
        }
        return c;
    }

    // Each slice holds 256 vectors of A and 512 of B: one and two per thread. Consecutive threads read consecutive
    // vectors of whichever dimension is contiguous in memory.
    private static Fetched Fetch(ArrayView<Float4> a, ArrayView<Float4> b, int m, int n, int k, int m0, int n0,
        int k0, int tid, bool aTransposed, bool bTransposed)
    {
        Fetched f;
        f.A = FetchA(a, m, k, m0, k0, tid, aTransposed);
        f.B0 = FetchB(b, n, k, n0, k0, tid, bTransposed);
        f.B1 = FetchB(b, n, k, n0, k0, tid + Threads, bTransposed);
        return f;
    }

    private static Float4 FetchA(ArrayView<Float4> a, int m, int k, int m0, int k0, int e, bool aTransposed) =>
        FetchVector(a, m, k, m0, k0, e, depthMajor: aTransposed, TileM);

    private static Float4 FetchB(ArrayView<Float4> b, int n, int k, int n0, int k0, int e, bool bTransposed) =>
        FetchVector(b, n, k, n0, k0, e, depthMajor: !bTransposed, TileN);

    // Vector e of an operand's slice: `extent` rows or columns of C (from `start`) by the depths k0…k0+TileK−1. An
    // operand stored depth-major (X and dZ in dW, W in the forward) is read along m or n; the others along k.
    private static Float4 FetchVector(ArrayView<Float4> operand, int extent, int k, int start, int k0, int e,
        bool depthMajor, int tile)
    {
        int index, depth;
        if (depthMajor)
        {
            depth = k0 + e / (tile / VectorWidth);
            index = start + e % (tile / VectorWidth) * VectorWidth;
        }
        else
        {
            index = start + e / (TileK / VectorWidth);
            depth = k0 + e % (TileK / VectorWidth) * VectorWidth;
        }
        Float4 value = default;
        if (index < extent && depth < k)
        {
            value = depthMajor
                ? operand[(depth * extent + index) / VectorWidth]
                : operand[(index * k + depth) / VectorWidth];
        }
        return value;
    }

    // Stores a fetched slice k-major: vectors along m or n go in whole, vectors along k are spread over four rows.
    private static void Put(Fetched f, ArrayView<Float4> aTiles, ArrayView<Float4> bTiles, int stage, int tid,
        bool aTransposed, bool bTransposed)
    {
        int a = stage * SliceA, b = stage * SliceB;
        if (aTransposed)
        {
            aTiles[a + tid / (TileM / VectorWidth) * RowA + tid % (TileM / VectorWidth)] = f.A;
        }
        else
        {
            PutAcross(aTiles, a, StrideA, tid % (TileK / VectorWidth), tid / (TileK / VectorWidth), f.A);
        }
        if (bTransposed)
        {
            PutAcross(bTiles, b, StrideB, tid % (TileK / VectorWidth), tid / (TileK / VectorWidth), f.B0);
            int e = tid + Threads;
            PutAcross(bTiles, b, StrideB, e % (TileK / VectorWidth), e / (TileK / VectorWidth), f.B1);
        }
        else
        {
            bTiles[b + tid / (TileN / VectorWidth) * RowB + tid % (TileN / VectorWidth)] = f.B0;
            int e = tid + Threads;
            bTiles[b + e / (TileN / VectorWidth) * RowB + e % (TileN / VectorWidth)] = f.B1;
        }
    }

    // The four depths of v (depth vector kq of the slice) go to column `along` of four consecutive rows.
    private static void PutAcross(ArrayView<Float4> tiles, int at, int stride, int kq, int along, Float4 v)
    {
        ArrayView<float> floats = tiles.Cast<float>();
        int i = at * VectorWidth + kq * VectorWidth * stride + along;
        floats[i] = v.X;
        floats[i + stride] = v.Y;
        floats[i + 2 * stride] = v.Z;
        floats[i + 3 * stride] = v.W;
    }

    private static WideBlock Step(WideBlock c, ArrayView<Float4> aTiles, ArrayView<Float4> bTiles, int ai, int bi)
    {
        Float4 a0 = aTiles[ai], a1 = aTiles[ai + RunSpacingVectors];
        Float4 b0 = bTiles[bi], b1 = bTiles[bi + RunSpacingVectors];
        Float4 b2 = bTiles[bi + 2 * RunSpacingVectors], b3 = bTiles[bi + 3 * RunSpacingVectors];
        return WideBlock.Fma(c, a0, a1, b0, b1, b2, b3);
    }

    private static void Store<TActivation>(WideBlock c, ArrayView<Float4> output, ArrayView<float> bias, int m,
        int n, int hasBias)
        where TActivation : struct, IActivationFunction
    {
        int tid = Group.IdxX;
        int row = Grid.IdxY * TileM + tid / Lanes * VectorWidth;
        int column = Grid.IdxX * TileN + tid % Lanes * VectorWidth;
        int lower = row + RunSpacing;
        StoreBlock<TActivation>(c.R0C0, output, bias, m, n, hasBias, row, column);
        StoreBlock<TActivation>(c.R0C1, output, bias, m, n, hasBias, row, column + RunSpacing);
        StoreBlock<TActivation>(c.R0C2, output, bias, m, n, hasBias, row, column + 2 * RunSpacing);
        StoreBlock<TActivation>(c.R0C3, output, bias, m, n, hasBias, row, column + 3 * RunSpacing);
        StoreBlock<TActivation>(c.R1C0, output, bias, m, n, hasBias, lower, column);
        StoreBlock<TActivation>(c.R1C1, output, bias, m, n, hasBias, lower, column + RunSpacing);
        StoreBlock<TActivation>(c.R1C2, output, bias, m, n, hasBias, lower, column + 2 * RunSpacing);
        StoreBlock<TActivation>(c.R1C3, output, bias, m, n, hasBias, lower, column + 3 * RunSpacing);
    }

    private static void StoreBlock<TActivation>(Block c, ArrayView<Float4> output, ArrayView<float> bias, int m,
        int n, int hasBias, int row, int column)
        where TActivation : struct, IActivationFunction
    {
        StoreVector<TActivation>(output, bias, m, n, hasBias, row, column, c.C00, c.C01, c.C02, c.C03);
        StoreVector<TActivation>(output, bias, m, n, hasBias, row + 1, column, c.C10, c.C11, c.C12, c.C13);
        StoreVector<TActivation>(output, bias, m, n, hasBias, row + 2, column, c.C20, c.C21, c.C22, c.C23);
        StoreVector<TActivation>(output, bias, m, n, hasBias, row + 3, column, c.C30, c.C31, c.C32, c.C33);
    }

    // n is a multiple of the vector width, so the vector at `column` is wholly inside the row or wholly outside.
    private static void StoreVector<TActivation>(ArrayView<Float4> output, ArrayView<float> bias, int m, int n,
        int hasBias, int row, int column, float v0, float v1, float v2, float v3)
        where TActivation : struct, IActivationFunction
    {
        if (row < m && column < n)
        {
            if (hasBias != 0)
            {
                v0 += bias[column];
                v1 += bias[column + 1];
                v2 += bias[column + 2];
                v3 += bias[column + 3];
            }
            TActivation f = default;
            output[(row * n + column) / VectorWidth] = new Float4(f.Apply(v0), f.Apply(v1), f.Apply(v2), f.Apply(v3));
        }
    }
}
