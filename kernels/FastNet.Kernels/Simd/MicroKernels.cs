using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// Register-blocked GEMM micro-kernels over packed panels (the 12-row one reads a row-major A in place too): each k
/// step broadcasts one A value per row and multiplies it into two B vectors, so a tile of MR × 2V accumulators never
/// leaves the registers. Twelve rows fit AVX-512's 32 registers; six rows fit the 16 of AVX2 and SSE. The last rows
/// of 12-row panels (a batch of 64 leaves 4) take the 8- or 4-row kernel.
/// </summary>
internal static unsafe class MicroKernels
{
    /// <summary>C[12×2V] (+)= A·B over <paramref name="depth"/> steps, the 12×2 accumulators held in registers:
    /// A a packed panel (<see cref="PackedA"/>: step k of row r at <c>a[12k + r]</c>) or a row-major A read in place
    /// (<see cref="InPlaceA"/>: at <c>a[r·lda + k]</c>, <paramref name="lda"/> floats a row); b: 2V floats per step,
    /// <paramref name="ldb"/> apart (a packed panel or the rows of a row-major B). Either way of reading A gives every
    /// element the same bits; each is compiled on its own, so the packed loop keeps its constant offsets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Kernel12<TV, TA>(nint depth, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate,
        nint lda)
        where TV : unmanaged, IVec<TV>
        where TA : struct, IALayout =>
        Kernel12<TV, TA, BAsItIs>(depth, a, b, ldb, c, ldc, accumulate, lda, PendingSgdStep.None);

    /// <summary><see cref="Kernel12{TV, TA}"/>, each of B's steps first updated as <typeparamref name="TU"/> says
    /// (by <paramref name="step"/>, whose gradient lies as B does, <paramref name="ldb"/> floats a step) and stored
    /// back before its multiply-adds use it: the pending SGD step of a block of W taken in the first tile that reads
    /// it, where a separate pass would read the block once more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel12<TV, TA, TU>(nint depth, float* a, float* b, nint ldb, float* c, nint ldc,
        bool accumulate, nint lda, PendingSgdStep step)
        where TV : unmanaged, IVec<TV>
        where TA : struct, IALayout
        where TU : struct, IBStepUpdate
    {
        float* g = step.Gradient;
        TV lr = TV.Splat(step.LearningRate), wd = TV.Splat(step.WeightDecay);
        TV c00 = TV.Zero, c01 = TV.Zero;
        TV c10 = TV.Zero, c11 = TV.Zero;
        TV c20 = TV.Zero, c21 = TV.Zero;
        TV c30 = TV.Zero, c31 = TV.Zero;
        TV c40 = TV.Zero, c41 = TV.Zero;
        TV c50 = TV.Zero, c51 = TV.Zero;
        TV c60 = TV.Zero, c61 = TV.Zero;
        TV c70 = TV.Zero, c71 = TV.Zero;
        TV c80 = TV.Zero, c81 = TV.Zero;
        TV c90 = TV.Zero, c91 = TV.Zero;
        TV c100 = TV.Zero, c101 = TV.Zero;
        TV c110 = TV.Zero, c111 = TV.Zero;
        // in place, rows 0–3, 4–7 and 8–11 at three bases plus 0, 1, 2 and 3 rows: 6 address registers in the loop
        nint lda2 = 2 * lda, lda3 = 3 * lda;
        float* row4 = a + (4 * lda), row8 = a + (8 * lda);
        for (nint k = 0; k < depth; k++)
        {
            TV b0 = TV.Load(b), b1 = TV.Load(b + TV.Count);
            if (TU.Updates)
            {
                b0 = TU.Update(lr, wd, TV.Load(g), b0);
                b1 = TU.Update(lr, wd, TV.Load(g + TV.Count), b1);
                TV.Store(b0, b);
                TV.Store(b1, b + TV.Count);
                g += ldb;
            }
            TV a0 = TV.Splat(a[0]);
            c00 = TV.MulAdd(a0, b0, c00);
            c01 = TV.MulAdd(a0, b1, c01);
            TV a1 = TV.Splat(TA.InPlace ? a[lda] : a[1]);
            c10 = TV.MulAdd(a1, b0, c10);
            c11 = TV.MulAdd(a1, b1, c11);
            TV a2 = TV.Splat(TA.InPlace ? a[lda2] : a[2]);
            c20 = TV.MulAdd(a2, b0, c20);
            c21 = TV.MulAdd(a2, b1, c21);
            TV a3 = TV.Splat(TA.InPlace ? a[lda3] : a[3]);
            c30 = TV.MulAdd(a3, b0, c30);
            c31 = TV.MulAdd(a3, b1, c31);
            TV a4 = TV.Splat(TA.InPlace ? row4[0] : a[4]);
            c40 = TV.MulAdd(a4, b0, c40);
            c41 = TV.MulAdd(a4, b1, c41);
            TV a5 = TV.Splat(TA.InPlace ? row4[lda] : a[5]);
            c50 = TV.MulAdd(a5, b0, c50);
            c51 = TV.MulAdd(a5, b1, c51);
            TV a6 = TV.Splat(TA.InPlace ? row4[lda2] : a[6]);
            c60 = TV.MulAdd(a6, b0, c60);
            c61 = TV.MulAdd(a6, b1, c61);
            TV a7 = TV.Splat(TA.InPlace ? row4[lda3] : a[7]);
            c70 = TV.MulAdd(a7, b0, c70);
            c71 = TV.MulAdd(a7, b1, c71);
            TV a8 = TV.Splat(TA.InPlace ? row8[0] : a[8]);
            c80 = TV.MulAdd(a8, b0, c80);
            c81 = TV.MulAdd(a8, b1, c81);
            TV a9 = TV.Splat(TA.InPlace ? row8[lda] : a[9]);
            c90 = TV.MulAdd(a9, b0, c90);
            c91 = TV.MulAdd(a9, b1, c91);
            TV a10 = TV.Splat(TA.InPlace ? row8[lda2] : a[10]);
            c100 = TV.MulAdd(a10, b0, c100);
            c101 = TV.MulAdd(a10, b1, c101);
            TV a11 = TV.Splat(TA.InPlace ? row8[lda3] : a[11]);
            c110 = TV.MulAdd(a11, b0, c110);
            c111 = TV.MulAdd(a11, b1, c111);
            a += TA.InPlace ? 1 : 12;
            if (TA.InPlace)
            {
                row4++;
                row8++;
            }
            b += ldb;
        }
        if (accumulate)
        {
            c00 += TV.Load(c + (0 * ldc));
            c01 += TV.Load(c + (0 * ldc) + TV.Count);
            c10 += TV.Load(c + (1 * ldc));
            c11 += TV.Load(c + (1 * ldc) + TV.Count);
            c20 += TV.Load(c + (2 * ldc));
            c21 += TV.Load(c + (2 * ldc) + TV.Count);
            c30 += TV.Load(c + (3 * ldc));
            c31 += TV.Load(c + (3 * ldc) + TV.Count);
            c40 += TV.Load(c + (4 * ldc));
            c41 += TV.Load(c + (4 * ldc) + TV.Count);
            c50 += TV.Load(c + (5 * ldc));
            c51 += TV.Load(c + (5 * ldc) + TV.Count);
            c60 += TV.Load(c + (6 * ldc));
            c61 += TV.Load(c + (6 * ldc) + TV.Count);
            c70 += TV.Load(c + (7 * ldc));
            c71 += TV.Load(c + (7 * ldc) + TV.Count);
            c80 += TV.Load(c + (8 * ldc));
            c81 += TV.Load(c + (8 * ldc) + TV.Count);
            c90 += TV.Load(c + (9 * ldc));
            c91 += TV.Load(c + (9 * ldc) + TV.Count);
            c100 += TV.Load(c + (10 * ldc));
            c101 += TV.Load(c + (10 * ldc) + TV.Count);
            c110 += TV.Load(c + (11 * ldc));
            c111 += TV.Load(c + (11 * ldc) + TV.Count);
        }
        TV.Store(c00, c + (0 * ldc));
        TV.Store(c01, c + (0 * ldc) + TV.Count);
        TV.Store(c10, c + (1 * ldc));
        TV.Store(c11, c + (1 * ldc) + TV.Count);
        TV.Store(c20, c + (2 * ldc));
        TV.Store(c21, c + (2 * ldc) + TV.Count);
        TV.Store(c30, c + (3 * ldc));
        TV.Store(c31, c + (3 * ldc) + TV.Count);
        TV.Store(c40, c + (4 * ldc));
        TV.Store(c41, c + (4 * ldc) + TV.Count);
        TV.Store(c50, c + (5 * ldc));
        TV.Store(c51, c + (5 * ldc) + TV.Count);
        TV.Store(c60, c + (6 * ldc));
        TV.Store(c61, c + (6 * ldc) + TV.Count);
        TV.Store(c70, c + (7 * ldc));
        TV.Store(c71, c + (7 * ldc) + TV.Count);
        TV.Store(c80, c + (8 * ldc));
        TV.Store(c81, c + (8 * ldc) + TV.Count);
        TV.Store(c90, c + (9 * ldc));
        TV.Store(c91, c + (9 * ldc) + TV.Count);
        TV.Store(c100, c + (10 * ldc));
        TV.Store(c101, c + (10 * ldc) + TV.Count);
        TV.Store(c110, c + (11 * ldc));
        TV.Store(c111, c + (11 * ldc) + TV.Count);
    }

    /// <summary>C[6×2V] (+)= A·B over <paramref name="depth"/> steps of packed panels (a: 6 floats per step;
    /// b: 2V floats per step, <paramref name="ldb"/> apart, a packed panel or the rows of a row-major B), the 6×2 accumulators held in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6<TV>(nint depth, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        where TV : unmanaged, IVec<TV>
    {
        TV c00 = TV.Zero, c01 = TV.Zero;
        TV c10 = TV.Zero, c11 = TV.Zero;
        TV c20 = TV.Zero, c21 = TV.Zero;
        TV c30 = TV.Zero, c31 = TV.Zero;
        TV c40 = TV.Zero, c41 = TV.Zero;
        TV c50 = TV.Zero, c51 = TV.Zero;
        for (nint k = 0; k < depth; k++)
        {
            TV b0 = TV.Load(b), b1 = TV.Load(b + TV.Count);
            TV a0 = TV.Splat(a[0]);
            c00 = TV.MulAdd(a0, b0, c00);
            c01 = TV.MulAdd(a0, b1, c01);
            TV a1 = TV.Splat(a[1]);
            c10 = TV.MulAdd(a1, b0, c10);
            c11 = TV.MulAdd(a1, b1, c11);
            TV a2 = TV.Splat(a[2]);
            c20 = TV.MulAdd(a2, b0, c20);
            c21 = TV.MulAdd(a2, b1, c21);
            TV a3 = TV.Splat(a[3]);
            c30 = TV.MulAdd(a3, b0, c30);
            c31 = TV.MulAdd(a3, b1, c31);
            TV a4 = TV.Splat(a[4]);
            c40 = TV.MulAdd(a4, b0, c40);
            c41 = TV.MulAdd(a4, b1, c41);
            TV a5 = TV.Splat(a[5]);
            c50 = TV.MulAdd(a5, b0, c50);
            c51 = TV.MulAdd(a5, b1, c51);
            a += 6;
            b += ldb;
        }
        if (accumulate)
        {
            c00 += TV.Load(c + (0 * ldc));
            c01 += TV.Load(c + (0 * ldc) + TV.Count);
            c10 += TV.Load(c + (1 * ldc));
            c11 += TV.Load(c + (1 * ldc) + TV.Count);
            c20 += TV.Load(c + (2 * ldc));
            c21 += TV.Load(c + (2 * ldc) + TV.Count);
            c30 += TV.Load(c + (3 * ldc));
            c31 += TV.Load(c + (3 * ldc) + TV.Count);
            c40 += TV.Load(c + (4 * ldc));
            c41 += TV.Load(c + (4 * ldc) + TV.Count);
            c50 += TV.Load(c + (5 * ldc));
            c51 += TV.Load(c + (5 * ldc) + TV.Count);
        }
        TV.Store(c00, c + (0 * ldc));
        TV.Store(c01, c + (0 * ldc) + TV.Count);
        TV.Store(c10, c + (1 * ldc));
        TV.Store(c11, c + (1 * ldc) + TV.Count);
        TV.Store(c20, c + (2 * ldc));
        TV.Store(c21, c + (2 * ldc) + TV.Count);
        TV.Store(c30, c + (3 * ldc));
        TV.Store(c31, c + (3 * ldc) + TV.Count);
        TV.Store(c40, c + (4 * ldc));
        TV.Store(c41, c + (4 * ldc) + TV.Count);
        TV.Store(c50, c + (5 * ldc));
        TV.Store(c51, c + (5 * ldc) + TV.Count);
    }

    /// <summary>C[8×2V] (+)= A·B over <paramref name="depth"/> steps, for the last rows of a packed A whose panels are
    /// wider: step k of row r at <c>a[k·aStep + r]</c>; B and the order of operations as in
    /// <see cref="Kernel12{TV, TA}"/>, so each element gets the same bits with 8×2 accumulators instead of 12×2, most
    /// of them computing padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel8<TV>(nint depth, float* a, nint aStep, float* b, nint ldb, float* c, nint ldc,
        bool accumulate)
        where TV : unmanaged, IVec<TV>
    {
        TV c00 = TV.Zero, c01 = TV.Zero;
        TV c10 = TV.Zero, c11 = TV.Zero;
        TV c20 = TV.Zero, c21 = TV.Zero;
        TV c30 = TV.Zero, c31 = TV.Zero;
        TV c40 = TV.Zero, c41 = TV.Zero;
        TV c50 = TV.Zero, c51 = TV.Zero;
        TV c60 = TV.Zero, c61 = TV.Zero;
        TV c70 = TV.Zero, c71 = TV.Zero;
        for (nint k = 0; k < depth; k++)
        {
            TV b0 = TV.Load(b), b1 = TV.Load(b + TV.Count);
            TV a0 = TV.Splat(a[0]);
            c00 = TV.MulAdd(a0, b0, c00);
            c01 = TV.MulAdd(a0, b1, c01);
            TV a1 = TV.Splat(a[1]);
            c10 = TV.MulAdd(a1, b0, c10);
            c11 = TV.MulAdd(a1, b1, c11);
            TV a2 = TV.Splat(a[2]);
            c20 = TV.MulAdd(a2, b0, c20);
            c21 = TV.MulAdd(a2, b1, c21);
            TV a3 = TV.Splat(a[3]);
            c30 = TV.MulAdd(a3, b0, c30);
            c31 = TV.MulAdd(a3, b1, c31);
            TV a4 = TV.Splat(a[4]);
            c40 = TV.MulAdd(a4, b0, c40);
            c41 = TV.MulAdd(a4, b1, c41);
            TV a5 = TV.Splat(a[5]);
            c50 = TV.MulAdd(a5, b0, c50);
            c51 = TV.MulAdd(a5, b1, c51);
            TV a6 = TV.Splat(a[6]);
            c60 = TV.MulAdd(a6, b0, c60);
            c61 = TV.MulAdd(a6, b1, c61);
            TV a7 = TV.Splat(a[7]);
            c70 = TV.MulAdd(a7, b0, c70);
            c71 = TV.MulAdd(a7, b1, c71);
            a += aStep;
            b += ldb;
        }
        if (accumulate)
        {
            c00 += TV.Load(c + (0 * ldc));
            c01 += TV.Load(c + (0 * ldc) + TV.Count);
            c10 += TV.Load(c + (1 * ldc));
            c11 += TV.Load(c + (1 * ldc) + TV.Count);
            c20 += TV.Load(c + (2 * ldc));
            c21 += TV.Load(c + (2 * ldc) + TV.Count);
            c30 += TV.Load(c + (3 * ldc));
            c31 += TV.Load(c + (3 * ldc) + TV.Count);
            c40 += TV.Load(c + (4 * ldc));
            c41 += TV.Load(c + (4 * ldc) + TV.Count);
            c50 += TV.Load(c + (5 * ldc));
            c51 += TV.Load(c + (5 * ldc) + TV.Count);
            c60 += TV.Load(c + (6 * ldc));
            c61 += TV.Load(c + (6 * ldc) + TV.Count);
            c70 += TV.Load(c + (7 * ldc));
            c71 += TV.Load(c + (7 * ldc) + TV.Count);
        }
        TV.Store(c00, c + (0 * ldc));
        TV.Store(c01, c + (0 * ldc) + TV.Count);
        TV.Store(c10, c + (1 * ldc));
        TV.Store(c11, c + (1 * ldc) + TV.Count);
        TV.Store(c20, c + (2 * ldc));
        TV.Store(c21, c + (2 * ldc) + TV.Count);
        TV.Store(c30, c + (3 * ldc));
        TV.Store(c31, c + (3 * ldc) + TV.Count);
        TV.Store(c40, c + (4 * ldc));
        TV.Store(c41, c + (4 * ldc) + TV.Count);
        TV.Store(c50, c + (5 * ldc));
        TV.Store(c51, c + (5 * ldc) + TV.Count);
        TV.Store(c60, c + (6 * ldc));
        TV.Store(c61, c + (6 * ldc) + TV.Count);
        TV.Store(c70, c + (7 * ldc));
        TV.Store(c71, c + (7 * ldc) + TV.Count);
    }

    /// <summary>C[4×2V] (+)= A·B over <paramref name="depth"/> steps, for the last rows of a packed A whose panels are
    /// wider: step k of row r at <c>a[k·aStep + r]</c>; B and the order of operations as in
    /// <see cref="Kernel12{TV, TA}"/>, so each element gets the same bits with 4×2 accumulators instead of 12×2, most
    /// of them computing padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel4<TV>(nint depth, float* a, nint aStep, float* b, nint ldb, float* c, nint ldc,
        bool accumulate)
        where TV : unmanaged, IVec<TV>
    {
        TV c00 = TV.Zero, c01 = TV.Zero;
        TV c10 = TV.Zero, c11 = TV.Zero;
        TV c20 = TV.Zero, c21 = TV.Zero;
        TV c30 = TV.Zero, c31 = TV.Zero;
        for (nint k = 0; k < depth; k++)
        {
            TV b0 = TV.Load(b), b1 = TV.Load(b + TV.Count);
            TV a0 = TV.Splat(a[0]);
            c00 = TV.MulAdd(a0, b0, c00);
            c01 = TV.MulAdd(a0, b1, c01);
            TV a1 = TV.Splat(a[1]);
            c10 = TV.MulAdd(a1, b0, c10);
            c11 = TV.MulAdd(a1, b1, c11);
            TV a2 = TV.Splat(a[2]);
            c20 = TV.MulAdd(a2, b0, c20);
            c21 = TV.MulAdd(a2, b1, c21);
            TV a3 = TV.Splat(a[3]);
            c30 = TV.MulAdd(a3, b0, c30);
            c31 = TV.MulAdd(a3, b1, c31);
            a += aStep;
            b += ldb;
        }
        if (accumulate)
        {
            c00 += TV.Load(c + (0 * ldc));
            c01 += TV.Load(c + (0 * ldc) + TV.Count);
            c10 += TV.Load(c + (1 * ldc));
            c11 += TV.Load(c + (1 * ldc) + TV.Count);
            c20 += TV.Load(c + (2 * ldc));
            c21 += TV.Load(c + (2 * ldc) + TV.Count);
            c30 += TV.Load(c + (3 * ldc));
            c31 += TV.Load(c + (3 * ldc) + TV.Count);
        }
        TV.Store(c00, c + (0 * ldc));
        TV.Store(c01, c + (0 * ldc) + TV.Count);
        TV.Store(c10, c + (1 * ldc));
        TV.Store(c11, c + (1 * ldc) + TV.Count);
        TV.Store(c20, c + (2 * ldc));
        TV.Store(c21, c + (2 * ldc) + TV.Count);
        TV.Store(c30, c + (3 * ldc));
        TV.Store(c31, c + (3 * ldc) + TV.Count);
    }
}

/// <summary>How <see cref="MicroKernels.Kernel12{TV, TA}"/> finds A's 12 rows.</summary>
internal interface IALayout
{
    /// <summary>True for a row-major A read in place, false for a packed panel.</summary>
    static abstract bool InPlace { get; }
}

/// <summary>A packed panel: step k of row r at <c>a[12k + r]</c>.</summary>
internal readonly struct PackedA : IALayout
{
    /// <inheritdoc />
    public static bool InPlace => false;
}

/// <summary>A row-major A read in place: step k of row r at <c>a[r·lda + k]</c>.</summary>
internal readonly struct InPlaceA : IALayout
{
    /// <inheritdoc />
    public static bool InPlace => true;
}

/// <summary>How <see cref="MicroKernels.Kernel12{TV, TA, TU}"/> takes each step of B.</summary>
internal interface IBStepUpdate
{
    /// <summary>Whether a step is updated and stored back before it is used.</summary>
    static abstract bool Updates { get; }

    /// <summary>θ's new value from the learning rate η, the decay λ, the gradient g and θ.</summary>
    static abstract TV Update<TV>(TV learningRate, TV weightDecay, TV gradient, TV theta) where TV : unmanaged, IVec<TV>;
}

/// <summary>B's steps as they lie.</summary>
internal readonly struct BAsItIs : IBStepUpdate
{
    /// <inheritdoc />
    public static bool Updates => false;

    /// <inheritdoc />
    public static TV Update<TV>(TV learningRate, TV weightDecay, TV gradient, TV theta) where TV : unmanaged, IVec<TV> =>
        theta;
}

/// <summary>B's steps after plain SGD, with the arithmetic of <see cref="OptimizerOps.Sgd{TV, TDecay}"/>.</summary>
internal readonly struct BAfterSgd<TDecay> : IBStepUpdate where TDecay : IWeightDecayTerm
{
    /// <inheritdoc />
    public static bool Updates => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Update<TV>(TV learningRate, TV weightDecay, TV gradient, TV theta) where TV : unmanaged, IVec<TV> =>
        OptimizerOps.Sgd<TV, TDecay>(learningRate, weightDecay, gradient, theta);
}
