using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// The float32 coefficients of one <see cref="IBackend.TrustRatioStep"/>, rounded once from the host's float64 values.
/// The step's own scalar (η·ρ) is formed later, once the norms are known.
/// </summary>
internal readonly struct TrustRatioCoefficients
{
    public readonly float Mu, Wd, B1, OneMinusB1, B2, OneMinusB2, InvBc1, InvBc2, Eps;

    public TrustRatioCoefficients(in OptimizerStep step, bool adapt)
    {
        Mu = (float)step.Momentum;
        Wd = adapt ? (float)step.WeightDecay : 0;
        B1 = (float)step.Beta1;
        OneMinusB1 = (float)(1 - step.Beta1);
        B2 = (float)step.Beta2;
        OneMinusB2 = (float)(1 - step.Beta2);
        InvBc1 = step.LambBiasCorrection1 == 0 ? 0 : (float)(1 / step.LambBiasCorrection1);
        InvBc2 = step.LambBiasCorrection2 == 0 ? 0 : (float)(1 / step.LambBiasCorrection2);
        Eps = (float)step.Epsilon;
    }
}

/// <summary>
/// LARS and LAMB over one segment in two passes. The first reduces the squared norms over fixed blocks of
/// <see cref="Block"/> elements: within a block four float32 vector accumulators (a fixed lane layout for a width),
/// whose lanes are then added in float64 in index order; the blocks' sums are added in float64 in block order by the
/// caller. Which thread takes a block changes nothing, so the result depends on the width alone, not on the thread
/// count. LAMB's first pass also updates m and v and forms u, which the second recomputes from the stored values with
/// the same arithmetic before it updates the weights. A segment's last, partial vector is computed through a
/// zero-padded copy, so every element sees the same vector arithmetic wherever a range ends.
/// </summary>
internal static unsafe class TrustRatioOps
{
    /// <summary>Elements per block of the norms: float32 accumulation over at most Block/(4·lanes) terms per lane.</summary>
    public const int Block = 1024;

    /// <summary>
    /// Blocks [b0, b1): sums[2b] = Σ w², sums[2b + 1] = Σ ∇² (LARS) or Σ u² (LAMB, which also updates m and v).
    /// </summary>
    public static void Norms<TV>(bool lamb, in TrustRatioCoefficients k, float* grad, float* w, float* m, float* v,
        int n, int b0, int b1, double[] sums) where TV : unmanaged, IVec<TV>
    {
        for (int b = b0; b < b1; b++)
        {
            int i0 = b * Block, i1 = Math.Min(n, i0 + Block);
            (sums[2 * b], sums[(2 * b) + 1]) = lamb
                ? BlockNorms<TV, LambPass>(k, grad, w, m, v, i0, i1)
                : BlockNorms<TV, LarsPass>(k, grad, w, m, v, i0, i1);
        }
    }

    /// <summary>Updates elements [i0, i1) with the step's scalar c = η·ρ (LARS: b ← μ·b + c·(∇ + λw), w ← w − b;
    /// LAMB: w ← w − c·u).</summary>
    public static void Update<TV>(bool lamb, in TrustRatioCoefficients k, float c, float* grad, float* w, float* m,
        float* v, int i0, int i1) where TV : unmanaged, IVec<TV>
    {
        TrustRatioCoefficients q = k;
        int i = i0;
        for (; i <= i1 - TV.Count; i += TV.Count)
        {
            TV p = TV.Load(w + i);
            TV.Store(lamb ? LambStep(q, c, p, m + i, v + i) : LarsStep(q, c, TV.Load(grad + i), p, m + i), w + i);
        }
        if (i < i1)
        {
            int t = i1 - i;
            float* g = stackalloc float[TV.Count], p = stackalloc float[TV.Count];
            float* s0 = stackalloc float[TV.Count], s1 = stackalloc float[TV.Count];
            OptimizerOps.Pad(grad + i, g, t, TV.Count);
            OptimizerOps.Pad(w + i, p, t, TV.Count);
            OptimizerOps.Pad(m + i, s0, t, TV.Count);
            OptimizerOps.Pad(lamb ? v + i : null, s1, t, TV.Count);
            TV.Store(lamb ? LambStep(q, c, TV.Load(p), s0, s1) : LarsStep(q, c, TV.Load(g), TV.Load(p), s0), p);
            new Span<float>(p, t).CopyTo(new Span<float>(w + i, t));
            if (!lamb)
            {
                new Span<float>(s0, t).CopyTo(new Span<float>(m + i, t));
            }
        }
    }

    // b ← μ·b + c·(∇ + λw), stored; returns w − b
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LarsStep<TV>(in TrustRatioCoefficients k, float c, TV g, TV p, float* b)
        where TV : unmanaged, IVec<TV>
    {
        TV step = TV.MulAdd(TV.Splat(k.Mu), TV.Load(b), TV.Splat(c) * TV.MulAdd(TV.Splat(k.Wd), p, g));
        TV.Store(step, b);
        return p - step;
    }

    // w − c·u, u from the stored m and v
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LambStep<TV>(in TrustRatioCoefficients k, float c, TV p, float* m, float* v)
        where TV : unmanaged, IVec<TV> => p - (TV.Splat(c) * LambU(k, TV.Load(m), TV.Load(v), p));

    // u = m/(1 − β1ᵗ) / (√(v/(1 − β2ᵗ)) + ε) + λw
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LambU<TV>(in TrustRatioCoefficients k, TV m, TV v, TV p) where TV : unmanaged, IVec<TV> =>
        TV.MulAdd(TV.Splat(k.Wd), p, m * TV.Splat(k.InvBc1) / (TV.Sqrt(v * TV.Splat(k.InvBc2)) + TV.Splat(k.Eps)));

    // What a block reduces: the two vectors whose squares are summed at element i (LAMB updates m and v there first).
    private interface IPass
    {
        static abstract (TV W, TV Second) Load<TV>(in TrustRatioCoefficients k, float* grad, float* w, float* m,
            float* v, int i) where TV : unmanaged, IVec<TV>;

        static abstract bool Lamb { get; }
    }

    private readonly struct LarsPass : IPass
    {
        public static bool Lamb => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TV W, TV Second) Load<TV>(in TrustRatioCoefficients k, float* grad, float* w, float* m,
            float* v, int i) where TV : unmanaged, IVec<TV> => (TV.Load(w + i), TV.Load(grad + i));
    }

    private readonly struct LambPass : IPass
    {
        public static bool Lamb => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TV W, TV Second) Load<TV>(in TrustRatioCoefficients k, float* grad, float* w, float* m,
            float* v, int i) where TV : unmanaged, IVec<TV>
        {
            TV g = TV.Load(grad + i), p = TV.Load(w + i);
            // m ← β1·m + (1 − β1)·∇; v ← β2·v + (1 − β2)·∇²
            TV m1 = TV.MulAdd(TV.Splat(k.B1), TV.Load(m + i), TV.Splat(k.OneMinusB1) * g);
            TV v1 = TV.MulAdd(TV.Splat(k.B2), TV.Load(v + i), TV.Splat(k.OneMinusB2) * g * g);
            TV.Store(m1, m + i);
            TV.Store(v1, v + i);
            return (p, LambU(k, m1, v1, p));
        }
    }

    private static (double W, double Second) BlockNorms<TV, TPass>(in TrustRatioCoefficients k, float* grad, float* w,
        float* m, float* v, int i0, int i1) where TV : unmanaged, IVec<TV> where TPass : IPass
    {
        TrustRatioCoefficients q = k;
        TV w0 = TV.Zero, w1 = TV.Zero, w2 = TV.Zero, w3 = TV.Zero, s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero, s3 = TV.Zero;
        int i = i0, step = 4 * TV.Count;
        for (; i <= i1 - step; i += step)
        {
            (TV a0, TV b0) = TPass.Load<TV>(q, grad, w, m, v, i);
            (TV a1, TV b1) = TPass.Load<TV>(q, grad, w, m, v, i + TV.Count);
            (TV a2, TV b2) = TPass.Load<TV>(q, grad, w, m, v, i + (2 * TV.Count));
            (TV a3, TV b3) = TPass.Load<TV>(q, grad, w, m, v, i + (3 * TV.Count));
            w0 = TV.MulAdd(a0, a0, w0);
            w1 = TV.MulAdd(a1, a1, w1);
            w2 = TV.MulAdd(a2, a2, w2);
            w3 = TV.MulAdd(a3, a3, w3);
            s0 = TV.MulAdd(b0, b0, s0);
            s1 = TV.MulAdd(b1, b1, s1);
            s2 = TV.MulAdd(b2, b2, s2);
            s3 = TV.MulAdd(b3, b3, s3);
        }
        for (; i <= i1 - TV.Count; i += TV.Count)
        {
            (TV a, TV b) = TPass.Load<TV>(q, grad, w, m, v, i);
            w0 = TV.MulAdd(a, a, w0);
            s0 = TV.MulAdd(b, b, s0);
        }
        double wSum = Lanes(w0) + Lanes(w1) + Lanes(w2) + Lanes(w3);
        double sSum = Lanes(s0) + Lanes(s1) + Lanes(s2) + Lanes(s3);
        if (i < i1)
        {
            // the last partial vector through a zero-padded copy; only its first t lanes count
            int t = i1 - i;
            float* g = stackalloc float[TV.Count], p = stackalloc float[TV.Count];
            float* t0 = stackalloc float[TV.Count], t1 = stackalloc float[TV.Count];
            float* a = stackalloc float[TV.Count], b = stackalloc float[TV.Count];
            OptimizerOps.Pad(grad + i, g, t, TV.Count);
            OptimizerOps.Pad(w + i, p, t, TV.Count);
            OptimizerOps.Pad(TPass.Lamb ? m + i : null, t0, t, TV.Count);
            OptimizerOps.Pad(TPass.Lamb ? v + i : null, t1, t, TV.Count);
            (TV x, TV y) = TPass.Load<TV>(q, g, p, t0, t1, 0);
            TV.Store(x, a);
            TV.Store(y, b);
            for (int j = 0; j < t; j++)
            {
                wSum += (double)a[j] * a[j];
                sSum += (double)b[j] * b[j];
            }
            if (TPass.Lamb)
            {
                new Span<float>(t0, t).CopyTo(new Span<float>(m + i, t));
                new Span<float>(t1, t).CopyTo(new Span<float>(v + i, t));
            }
        }
        return (wSum, sSum);
    }

    // the lanes added in float64, in index order
    private static double Lanes<TV>(TV x) where TV : unmanaged, IVec<TV>
    {
        float* lanes = stackalloc float[TV.Count];
        TV.Store(x, lanes);
        double sum = 0;
        for (int j = 0; j < TV.Count; j++)
        {
            sum += lanes[j];
        }
        return sum;
    }
}
