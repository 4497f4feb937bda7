using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// The micro-kernel for a C of at most one micro-panel's columns (N ≤ 2V, such as a 10-wide output layer). Each row
/// of A then meets B's only panel once, so packing A would buy no reuse: the kernel broadcasts A's values from where
/// they lie (any strides), and it stores only C's valid rows and columns, with no round trip through a tile. Per
/// element it makes the same fused multiply-adds from zero in the same order as <see cref="MicroKernels.Kernel6{TV}"/>,
/// and adds the result to C the same way, so the bits are the same.
/// </summary>
internal static unsafe class NarrowMicroKernel
{
    /// <summary>Rows of C one call computes.</summary>
    public const int Rows = 6;

    /// <summary>
    /// C[rows × columns] (+)= A·B over <paramref name="depth"/> steps: A's element (r, k) at
    /// <c>a[r·aRowStride + k·aStepStride]</c>, B's step k at <c>b[k·ldb]</c> (2V floats, zero past
    /// <paramref name="columns"/> or not, they are never stored); rows ≤ 6, columns ≤ 2V.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6<TV>(nint depth, float* a, nint aRowStride, nint aStepStride, float* b, nint ldb,
        float* c, nint ldc, int rows, int columns, bool accumulate)
        where TV : unmanaged, IVec<TV>
    {
        // missing rows repeat row 0: their sums are computed and dropped, so A is never read past its last row
        float* a0 = a;
        float* a1 = rows > 1 ? a + aRowStride : a;
        float* a2 = rows > 2 ? a + (2 * aRowStride) : a;
        float* a3 = rows > 3 ? a + (3 * aRowStride) : a;
        float* a4 = rows > 4 ? a + (4 * aRowStride) : a;
        float* a5 = rows > 5 ? a + (5 * aRowStride) : a;
        TV c00 = TV.Zero, c01 = TV.Zero;
        TV c10 = TV.Zero, c11 = TV.Zero;
        TV c20 = TV.Zero, c21 = TV.Zero;
        TV c30 = TV.Zero, c31 = TV.Zero;
        TV c40 = TV.Zero, c41 = TV.Zero;
        TV c50 = TV.Zero, c51 = TV.Zero;
        nint end = depth * aStepStride;
        for (nint s = 0; s != end; s += aStepStride)
        {
            TV b0 = TV.Load(b), b1 = TV.Load(b + TV.Count);
            TV x0 = TV.Splat(a0[s]);
            c00 = TV.MulAdd(x0, b0, c00);
            c01 = TV.MulAdd(x0, b1, c01);
            TV x1 = TV.Splat(a1[s]);
            c10 = TV.MulAdd(x1, b0, c10);
            c11 = TV.MulAdd(x1, b1, c11);
            TV x2 = TV.Splat(a2[s]);
            c20 = TV.MulAdd(x2, b0, c20);
            c21 = TV.MulAdd(x2, b1, c21);
            TV x3 = TV.Splat(a3[s]);
            c30 = TV.MulAdd(x3, b0, c30);
            c31 = TV.MulAdd(x3, b1, c31);
            TV x4 = TV.Splat(a4[s]);
            c40 = TV.MulAdd(x4, b0, c40);
            c41 = TV.MulAdd(x4, b1, c41);
            TV x5 = TV.Splat(a5[s]);
            c50 = TV.MulAdd(x5, b0, c50);
            c51 = TV.MulAdd(x5, b1, c51);
            b += ldb;
        }
        // the valid lanes of the partial vector go through this buffer (16 floats: the widest vector)
        float* lanes = stackalloc float[16];
        StoreRow(c00, c01, c, columns, accumulate, lanes);
        if (rows > 1)
        {
            StoreRow(c10, c11, c + ldc, columns, accumulate, lanes);
        }
        if (rows > 2)
        {
            StoreRow(c20, c21, c + (2 * ldc), columns, accumulate, lanes);
        }
        if (rows > 3)
        {
            StoreRow(c30, c31, c + (3 * ldc), columns, accumulate, lanes);
        }
        if (rows > 4)
        {
            StoreRow(c40, c41, c + (4 * ldc), columns, accumulate, lanes);
        }
        if (rows > 5)
        {
            StoreRow(c50, c51, c + (5 * ldc), columns, accumulate, lanes);
        }
    }

    /// <summary>Rows of C one call of <see cref="Kernel8OneVector{TV, TB}"/> computes.</summary>
    public const int OneVectorRows = 8;

    /// <summary>
    /// <see cref="Kernel6{TV}"/> for a C no wider than one vector (N ≤ V, such as a 10-wide output layer with 512-bit
    /// vectors): one accumulator per row, so no multiply-add computes only padding, and 8 rows for 8 independent chains
    /// (12 row pointers would not fit the general registers); rows ≤ 8, columns ≤ V. B's steps are read as
    /// <typeparamref name="TB"/> says: whole vectors of a packed panel, or a row-major B's own rows, masked past
    /// <paramref name="columns"/> so nothing after the last row is read. The same operations per element, so the same
    /// bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel8OneVector<TV, TB>(nint depth, float* a, nint aRowStride, nint aStepStride, float* b,
        nint ldb, float* c, nint ldc, int rows, int columns, bool accumulate)
        where TV : unmanaged, IVec<TV>
        where TB : INarrowBSteps
    {
        // missing rows repeat row 0, as in Kernel6
        float* a0 = a;
        float* a1 = rows > 1 ? a + (1 * aRowStride) : a;
        float* a2 = rows > 2 ? a + (2 * aRowStride) : a;
        float* a3 = rows > 3 ? a + (3 * aRowStride) : a;
        float* a4 = rows > 4 ? a + (4 * aRowStride) : a;
        float* a5 = rows > 5 ? a + (5 * aRowStride) : a;
        float* a6 = rows > 6 ? a + (6 * aRowStride) : a;
        float* a7 = rows > 7 ? a + (7 * aRowStride) : a;
        TV c0 = TV.Zero, c1 = TV.Zero, c2 = TV.Zero, c3 = TV.Zero;
        TV c4 = TV.Zero, c5 = TV.Zero, c6 = TV.Zero, c7 = TV.Zero;
        TV lanes = ValidLanes<TV>(columns);
        nint end = depth * aStepStride;
        for (nint s = 0; s != end; s += aStepStride)
        {
            TV b0 = TB.Masked ? TV.LoadFirst(b, lanes) : TV.Load(b);
            c0 = TV.MulAdd(TV.Splat(a0[s]), b0, c0);
            c1 = TV.MulAdd(TV.Splat(a1[s]), b0, c1);
            c2 = TV.MulAdd(TV.Splat(a2[s]), b0, c2);
            c3 = TV.MulAdd(TV.Splat(a3[s]), b0, c3);
            c4 = TV.MulAdd(TV.Splat(a4[s]), b0, c4);
            c5 = TV.MulAdd(TV.Splat(a5[s]), b0, c5);
            c6 = TV.MulAdd(TV.Splat(a6[s]), b0, c6);
            c7 = TV.MulAdd(TV.Splat(a7[s]), b0, c7);
            b += ldb;
        }
        // where masks are copies, the valid lanes go through this buffer (16 floats: the widest vector)
        float* copy = stackalloc float[16];
        StoreOneVectorRow(c0, c, columns, accumulate, lanes, copy);
        if (rows > 1)
        {
            StoreOneVectorRow(c1, c + (1 * ldc), columns, accumulate, lanes, copy);
        }
        if (rows > 2)
        {
            StoreOneVectorRow(c2, c + (2 * ldc), columns, accumulate, lanes, copy);
        }
        if (rows > 3)
        {
            StoreOneVectorRow(c3, c + (3 * ldc), columns, accumulate, lanes, copy);
        }
        if (rows > 4)
        {
            StoreOneVectorRow(c4, c + (4 * ldc), columns, accumulate, lanes, copy);
        }
        if (rows > 5)
        {
            StoreOneVectorRow(c5, c + (5 * ldc), columns, accumulate, lanes, copy);
        }
        if (rows > 6)
        {
            StoreOneVectorRow(c6, c + (6 * ldc), columns, accumulate, lanes, copy);
        }
        if (rows > 7)
        {
            StoreOneVectorRow(c7, c + (7 * ldc), columns, accumulate, lanes, copy);
        }
    }

    /// <summary>Rows of <see cref="Kernel16AdjacentRows{TV, TB}"/>.</summary>
    public const int AdjacentRows = 16;

    /// <summary>
    /// <see cref="Kernel8OneVector{TV, TB}"/> for 16 rows of an A whose rows lie next to each other (row stride 1: Xᵀ
    /// of dW = Xᵀ·dZ read in place), with 32 vector registers: a step's 16 elements of A are one cache line, read once
    /// per tile instead of by two 8-row tiles. Those steps lie a row of X apart, which with 256 floats a row puts 64
    /// of them in 4 sets of L1: an 8-row tile lost each line before the next tile read its other half, and waited on
    /// L2 at every step (dW of 256 × 10 over 64 rows: 7 of a 9 µs backward pass, AVX-512 Zen 5). The same operations
    /// per element, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel16AdjacentRows<TV, TB>(nint depth, float* a, nint aStepStride, float* b, nint ldb,
        float* c, nint ldc, int columns, bool accumulate)
        where TV : unmanaged, IVec<TV>
        where TB : INarrowBSteps
    {
        TV c0 = TV.Zero, c1 = TV.Zero, c2 = TV.Zero, c3 = TV.Zero, c4 = TV.Zero, c5 = TV.Zero, c6 = TV.Zero;
        TV c7 = TV.Zero, c8 = TV.Zero, c9 = TV.Zero, c10 = TV.Zero, c11 = TV.Zero, c12 = TV.Zero, c13 = TV.Zero;
        TV c14 = TV.Zero, c15 = TV.Zero;
        TV lanes = ValidLanes<TV>(columns);
        nint end = depth * aStepStride;
        for (nint s = 0; s != end; s += aStepStride)
        {
            TV b0 = TB.Masked ? TV.LoadFirst(b, lanes) : TV.Load(b);
            float* row = a + s;
            c0 = TV.MulAdd(TV.Splat(row[0]), b0, c0);
            c1 = TV.MulAdd(TV.Splat(row[1]), b0, c1);
            c2 = TV.MulAdd(TV.Splat(row[2]), b0, c2);
            c3 = TV.MulAdd(TV.Splat(row[3]), b0, c3);
            c4 = TV.MulAdd(TV.Splat(row[4]), b0, c4);
            c5 = TV.MulAdd(TV.Splat(row[5]), b0, c5);
            c6 = TV.MulAdd(TV.Splat(row[6]), b0, c6);
            c7 = TV.MulAdd(TV.Splat(row[7]), b0, c7);
            c8 = TV.MulAdd(TV.Splat(row[8]), b0, c8);
            c9 = TV.MulAdd(TV.Splat(row[9]), b0, c9);
            c10 = TV.MulAdd(TV.Splat(row[10]), b0, c10);
            c11 = TV.MulAdd(TV.Splat(row[11]), b0, c11);
            c12 = TV.MulAdd(TV.Splat(row[12]), b0, c12);
            c13 = TV.MulAdd(TV.Splat(row[13]), b0, c13);
            c14 = TV.MulAdd(TV.Splat(row[14]), b0, c14);
            c15 = TV.MulAdd(TV.Splat(row[15]), b0, c15);
            b += ldb;
        }
        // where masks are copies, the valid lanes go through this buffer (16 floats: the widest vector)
        float* copy = stackalloc float[16];
        StoreOneVectorRow(c0, c, columns, accumulate, lanes, copy);
        StoreOneVectorRow(c1, c + (1 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c2, c + (2 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c3, c + (3 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c4, c + (4 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c5, c + (5 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c6, c + (6 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c7, c + (7 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c8, c + (8 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c9, c + (9 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c10, c + (10 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c11, c + (11 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c12, c + (12 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c13, c + (13 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c14, c + (14 * ldc), columns, accumulate, lanes, copy);
        StoreOneVectorRow(c15, c + (15 * ldc), columns, accumulate, lanes, copy);
    }

    // C's valid lanes as a mask, made once per call: a mask made at every step (LoadFirst's count overload) took a
    // 10-wide product's loop 1.17 times as long; zero, and unused, where C is a whole vector wide
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ValidLanes<TV>(int columns) where TV : unmanaged, IVec<TV> =>
        columns < TV.Count ? TV.FirstLanes(columns) : TV.Zero;

    // a one-vector C's row (+)= sums over its first columns: under the mask where masks are single instructions,
    // else through the stack; the sum is added to C's old value as the tiled path adds it
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreOneVectorRow<TV>(TV sums, float* c, int columns, bool accumulate, TV lanes, float* copy)
        where TV : unmanaged, IVec<TV>
    {
        if (columns == TV.Count)
        {
            TV.Store(accumulate ? TV.Load(c) + sums : sums, c);
        }
        else if (TV.MasksLanes)
        {
            TV.StoreFirst(accumulate ? TV.LoadFirst(c, lanes) + sums : sums, c, lanes);
        }
        else
        {
            StorePartial(sums, c, columns, accumulate, copy);
        }
    }

    // C's row (+)= (low, high) over its first columns; a sum is added to C's old value as the tiled path adds it
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TV>(TV low, TV high, float* c, int columns, bool accumulate, float* lanes)
        where TV : unmanaged, IVec<TV>
    {
        if (columns >= TV.Count)
        {
            TV.Store(accumulate ? TV.Load(c) + low : low, c);
            if (columns == 2 * TV.Count)
            {
                TV.Store(accumulate ? TV.Load(c + TV.Count) + high : high, c + TV.Count);
                return;
            }
            StorePartial(high, c + TV.Count, columns - TV.Count, accumulate, lanes);
        }
        else
        {
            StorePartial(low, c, columns, accumulate, lanes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePartial<TV>(TV sums, float* c, int count, bool accumulate, float* lanes)
        where TV : unmanaged, IVec<TV>
    {
        TV.Store(sums, lanes);
        for (int j = 0; j < count; j++)
        {
            c[j] = accumulate ? c[j] + lanes[j] : lanes[j];
        }
    }
}

/// <summary>How <see cref="NarrowMicroKernel.Kernel8OneVector{TV, TB}"/> reads a step of B.</summary>
internal interface INarrowBSteps
{
    /// <summary>Whether each step is loaded masked to C's columns (a row-major B read in place) rather than
    /// whole.</summary>
    static abstract bool Masked { get; }
}

/// <summary>Whole vectors: a packed panel, zero-padded past C's columns.</summary>
internal readonly struct WholeBSteps : INarrowBSteps
{
    /// <inheritdoc />
    public static bool Masked => false;
}

/// <summary>A row-major B's rows where they lie, loaded masked to C's columns (where masks are single instructions,
/// <see cref="IVec{TSelf}.MasksLanes"/>).</summary>
internal readonly struct MaskedBSteps : INarrowBSteps
{
    /// <inheritdoc />
    public static bool Masked => true;
}
