using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNet.Kernels.Simd;

/// <summary>
/// <see cref="MicroKernels.Kernel6{TV}"/> for 256-bit vectors, written on <see cref="Vector256{T}"/> itself: through
/// the <see cref="IVec{TSelf}"/> wrapper RyuJIT puts the second multiply-add of each row in the broadcast's register
/// and copies it back, six extra moves in a loop of 25 instructions per step. It also prefetches the tile of C that
/// it adds to at the end. Same operations in the same order as the generic kernel, so the same bits.
/// </summary>
internal static unsafe class Vector256MicroKernel
{
    /// <summary>C[6×16] (+)= A·B over <paramref name="depth"/> steps: a holds 6 floats per step, b 16 floats per
    /// step <paramref name="ldb"/> apart; the 6×2 accumulators stay in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6(nint depth, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        if (Sse.IsSupported)
        {
            // C's lines are needed only after the loop, and with a large ldc they come from L3 or memory: fetching
            // them now lets the loop hide that latency
            for (int r = 0; r < 6; r++)
            {
                Sse.Prefetch0(c + (r * ldc));
                Sse.Prefetch0(c + (r * ldc) + 15);
            }
        }
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        for (nint k = 0; k < depth; k++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Vector256.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Vector256.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector256.MultiplyAddEstimate(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Vector256.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector256.MultiplyAddEstimate(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c30 = Vector256.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector256.MultiplyAddEstimate(a3, b1, c31);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c40 = Vector256.MultiplyAddEstimate(a4, b0, c40);
            c41 = Vector256.MultiplyAddEstimate(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c50 = Vector256.MultiplyAddEstimate(a5, b0, c50);
            c51 = Vector256.MultiplyAddEstimate(a5, b1, c51);
            a += 6;
            b += ldb;
        }
        if (accumulate)
        {
            c00 += Vector256.Load(c + (0 * ldc));
            c01 += Vector256.Load(c + (0 * ldc) + 8);
            c10 += Vector256.Load(c + (1 * ldc));
            c11 += Vector256.Load(c + (1 * ldc) + 8);
            c20 += Vector256.Load(c + (2 * ldc));
            c21 += Vector256.Load(c + (2 * ldc) + 8);
            c30 += Vector256.Load(c + (3 * ldc));
            c31 += Vector256.Load(c + (3 * ldc) + 8);
            c40 += Vector256.Load(c + (4 * ldc));
            c41 += Vector256.Load(c + (4 * ldc) + 8);
            c50 += Vector256.Load(c + (5 * ldc));
            c51 += Vector256.Load(c + (5 * ldc) + 8);
        }
        c00.Store(c + (0 * ldc));
        c01.Store(c + (0 * ldc) + 8);
        c10.Store(c + (1 * ldc));
        c11.Store(c + (1 * ldc) + 8);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 8);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 8);
        c40.Store(c + (4 * ldc));
        c41.Store(c + (4 * ldc) + 8);
        c50.Store(c + (5 * ldc));
        c51.Store(c + (5 * ldc) + 8);
    }
}
