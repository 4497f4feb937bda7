using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNet.Kernels.Simd;

/// <summary>
/// <see cref="NarrowMicroKernel.Kernel6{TV}"/> for 256-bit vectors, written on <see cref="Vector256{T}"/> itself for
/// the reason <see cref="Vector256MicroKernel"/> gives (no copy of each row's second multiply-add back from the
/// broadcast's register). Same operations in the same order, so the same bits.
/// </summary>
internal static unsafe class Vector256NarrowMicroKernel
{
    /// <summary>C[rows × columns] (+)= A·B over <paramref name="depth"/> steps, as
    /// <see cref="NarrowMicroKernel.Kernel6{TV}"/> with 8-float vectors: rows ≤ 6, columns ≤ 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6(nint depth, float* a, nint aRowStride, nint aStepStride, float* b, nint ldb, float* c,
        nint ldc, int rows, int columns, bool accumulate)
    {
        // missing rows repeat row 0: their sums are computed and dropped, so A is never read past its last row
        float* a0 = a;
        float* a1 = rows > 1 ? a + aRowStride : a;
        float* a2 = rows > 2 ? a + (2 * aRowStride) : a;
        float* a3 = rows > 3 ? a + (3 * aRowStride) : a;
        float* a4 = rows > 4 ? a + (4 * aRowStride) : a;
        float* a5 = rows > 5 ? a + (5 * aRowStride) : a;
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        nint end = depth * aStepStride;
        for (nint s = 0; s != end; s += aStepStride)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> x0 = Vector256.Create(a0[s]);
            c00 = Vector256.MultiplyAddEstimate(x0, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(x0, b1, c01);
            Vector256<float> x1 = Vector256.Create(a1[s]);
            c10 = Vector256.MultiplyAddEstimate(x1, b0, c10);
            c11 = Vector256.MultiplyAddEstimate(x1, b1, c11);
            Vector256<float> x2 = Vector256.Create(a2[s]);
            c20 = Vector256.MultiplyAddEstimate(x2, b0, c20);
            c21 = Vector256.MultiplyAddEstimate(x2, b1, c21);
            Vector256<float> x3 = Vector256.Create(a3[s]);
            c30 = Vector256.MultiplyAddEstimate(x3, b0, c30);
            c31 = Vector256.MultiplyAddEstimate(x3, b1, c31);
            Vector256<float> x4 = Vector256.Create(a4[s]);
            c40 = Vector256.MultiplyAddEstimate(x4, b0, c40);
            c41 = Vector256.MultiplyAddEstimate(x4, b1, c41);
            Vector256<float> x5 = Vector256.Create(a5[s]);
            c50 = Vector256.MultiplyAddEstimate(x5, b0, c50);
            c51 = Vector256.MultiplyAddEstimate(x5, b1, c51);
            b += ldb;
        }
        float* lanes = stackalloc float[8];
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

    // as NarrowMicroKernel's: C's old value plus the sum, the partial vector's valid lanes through a buffer
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(Vector256<float> low, Vector256<float> high, float* c, int columns, bool accumulate,
        float* lanes)
    {
        if (columns >= 8)
        {
            (accumulate ? Vector256.Load(c) + low : low).Store(c);
            if (columns == 16)
            {
                (accumulate ? Vector256.Load(c + 8) + high : high).Store(c + 8);
                return;
            }
            StorePartial(high, c + 8, columns - 8, accumulate, lanes);
        }
        else
        {
            StorePartial(low, c, columns, accumulate, lanes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePartial(Vector256<float> sums, float* c, int count, bool accumulate, float* lanes)
    {
        sums.Store(lanes);
        for (int j = 0; j < count; j++)
        {
            c[j] = accumulate ? c[j] + lanes[j] : lanes[j];
        }
    }
}
