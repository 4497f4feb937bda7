using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// The coefficients of one optimizer step, rounded once from the host's float64 values to float32, and the update
/// rules of <see cref="OptimizerKind"/> as a fused pass over the flat buffers: each element's gradient, parameter and
/// state are read once and written once.
/// </summary>
internal readonly unsafe struct OptimizerCoefficients
{
    public readonly float Lr, Mu, B1, OneMinusB1, B2, OneMinusB2, Eps, Wd;

    /// <summary>Adam: η/(1 − β1ᵗ) and 1/√(1 − β2ᵗ).</summary>
    public readonly float AdamStepSize, AdamInverseSqrtBiasCorrection2;

    /// <summary>Nadam: 1/(1 − β2ᵗ) and the signed coefficients of g/d and m/d.</summary>
    public readonly float NadamInverseBiasCorrection2, NadamGradCoefficient, NadamMomentCoefficient;

    public OptimizerCoefficients(in OptimizerStep step)
    {
        Lr = (float)step.LearningRate;
        Mu = (float)step.Momentum;
        B1 = (float)step.Beta1;
        OneMinusB1 = (float)(1 - step.Beta1);
        B2 = (float)step.Beta2;
        OneMinusB2 = (float)(1 - step.Beta2);
        Eps = (float)step.Epsilon;
        Wd = (float)step.WeightDecay;
        AdamStepSize = (float)step.AdamStepSize;
        AdamInverseSqrtBiasCorrection2 =
            step.AdamBiasCorrection2Sqrt == 0 ? 0 : (float)(1 / step.AdamBiasCorrection2Sqrt);
        NadamInverseBiasCorrection2 = step.NadamBiasCorrection2 == 0 ? 0 : (float)(1 / step.NadamBiasCorrection2);
        NadamGradCoefficient = (float)step.NadamGradCoefficient;
        NadamMomentCoefficient = (float)step.NadamMomentCoefficient;
    }
}

/// <summary>The fused optimizer pass.</summary>
internal static unsafe class OptimizerOps
{
    /// <summary>Updates elements [i0, i1) of θ and its state slots (s1 is null for one-slot rules).</summary>
    public static void Step<TV>(OptimizerKind kind, in OptimizerCoefficients k, float* grad, float* theta, float* s0,
        float* s1, int i0, int i1) where TV : unmanaged, IVec<TV>
    {
        int i = kind switch
        {
            // plain SGD leaves out a zero weight decay's term, as the fused sweeps do (the same bits; see
            // IWeightDecayTerm): a step and its fused form then agree on every input, infinities included
            OptimizerKind.Sgd when k.Wd == 0 => Run<TV, SgdRule, Undecayed>(k, grad, theta, s0, s1, i0, i1),
            OptimizerKind.Sgd => Run<TV, SgdRule, Decayed>(k, grad, theta, s0, s1, i0, i1),
            OptimizerKind.Momentum => Run<TV, Momentum, Decayed>(k, grad, theta, s0, s1, i0, i1),
            OptimizerKind.Nesterov => Run<TV, Nesterov, Decayed>(k, grad, theta, s0, s1, i0, i1),
            OptimizerKind.Adagrad => Run<TV, Adagrad, Decayed>(k, grad, theta, s0, s1, i0, i1),
            OptimizerKind.RmsProp => Run<TV, RmsProp, Decayed>(k, grad, theta, s0, s1, i0, i1),
            OptimizerKind.Adam => Run<TV, Adam, Decayed>(k, grad, theta, s0, s1, i0, i1),
            OptimizerKind.Nadam => Run<TV, Nadam, Decayed>(k, grad, theta, s0, s1, i0, i1),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimizer"),
        };
        if (i < i1)
        {
            Tail<TV>(kind, k, grad, theta, s0, s1, i, i1);
        }
    }

    /// <summary>
    /// θ − η·(g + λθ) for one vector of θ and its gradient g: the plain-SGD rule of <see cref="Step{TV}"/> (its weight
    /// decay term, then <see cref="SgdRule"/>), for kernels that compute g themselves and update in the same sweep. η
    /// and λ come splat: such a sweep stores to θ through a pointer, and the JIT would load coefficients read through
    /// an <c>in</c> reference again for every vector, since a store might alias them. <typeparamref name="TDecay"/>
    /// is <see cref="Undecayed"/> exactly when λ = 0, as in <see cref="Step{TV}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sgd<TV, TDecay>(TV lr, TV wd, TV gradient, TV theta)
        where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm =>
        theta - (lr * TDecay.Add(wd, theta, gradient));

    /// <summary>
    /// <see cref="Sgd{TV, TDecay}"/> over a block of <paramref name="rows"/> rows × <paramref name="columns"/> floats
    /// (a multiple of the vector width): row r of θ at <c>theta + r·thetaStride</c>, its gradient at
    /// <c>gradient + r·gradientStride</c>. Inlined into the kernels that step a block while it is in cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SgdBlock<TV, TDecay>(TV lr, TV wd, float* gradient, nint gradientStride, float* theta,
        nint thetaStride, int rows, int columns) where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        for (int r = 0; r < rows; r++, gradient += gradientStride, theta += thetaStride)
        {
            for (int j = 0; j < columns; j += TV.Count)
            {
                TV.Store(Sgd<TV, TDecay>(lr, wd, TV.Load(gradient + j), TV.Load(theta + j)), theta + j);
            }
        }
    }

    /// <summary>
    /// Elements [i0, i1), fewer than one vector, updated through a zero-padded copy with the same vector arithmetic as
    /// the rest (fused multiply-adds included), so an element's result does not depend on where a pass or a row ends.
    /// </summary>
    private static void Tail<TV>(OptimizerKind kind, in OptimizerCoefficients k, float* grad, float* theta, float* s0,
        float* s1, int i0, int i1) where TV : unmanaged, IVec<TV>
    {
        int n = i1 - i0;
        float* g = stackalloc float[TV.Count], p = stackalloc float[TV.Count];
        float* t0 = stackalloc float[TV.Count], t1 = stackalloc float[TV.Count];
        Pad(grad + i0, g, n, TV.Count);
        Pad(theta + i0, p, n, TV.Count);
        Pad(s0 == null ? null : s0 + i0, t0, n, TV.Count);
        Pad(s1 == null ? null : s1 + i0, t1, n, TV.Count);
        Step<TV>(kind, k, g, p, s0 == null ? null : t0, s1 == null ? null : t1, 0, TV.Count);
        new Span<float>(p, n).CopyTo(new Span<float>(theta + i0, n));
        if (s0 != null)
        {
            new Span<float>(t0, n).CopyTo(new Span<float>(s0 + i0, n));
        }
        if (s1 != null)
        {
            new Span<float>(t1, n).CopyTo(new Span<float>(s1 + i0, n));
        }
    }

    /// <summary>Copies <paramref name="n"/> floats (none when the source is null) and zeros the rest of the vector.</summary>
    public static void Pad(float* source, float* vector, int n, int count)
    {
        new Span<float>(vector, count).Clear();
        if (source != null)
        {
            new Span<float>(source, n).CopyTo(new Span<float>(vector, n));
        }
    }

    private static int Run<TV, TRule, TDecay>(in OptimizerCoefficients k, float* grad, float* theta, float* s0,
        float* s1, int i0, int i1) where TV : unmanaged, IVec<TV> where TRule : IRule where TDecay : IWeightDecayTerm
    {
        OptimizerCoefficients c = k;
        int i = i0;
        for (; i <= i1 - TV.Count; i += TV.Count)
        {
            TV p = TV.Load(theta + i);
            TV g = TDecay.Add(TV.Splat(c.Wd), p, TV.Load(grad + i));
            TV.Store(TRule.Update(c, g, p, s0 + i, s1 + i), theta + i);
        }
        return i;
    }

    private interface IRule
    {
        // returns the new θ; reads and writes the state at s0 (and s1)
        static abstract TV Update<TV>(in OptimizerCoefficients k, TV g, TV p, float* s0, float* s1)
            where TV : unmanaged, IVec<TV>;
    }

    private readonly struct SgdRule : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Update<TV>(in OptimizerCoefficients k, TV g, TV p, float* s0, float* s1)
            where TV : unmanaged, IVec<TV> => p - (TV.Splat(k.Lr) * g);
    }

    private readonly struct Momentum : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Update<TV>(in OptimizerCoefficients k, TV g, TV p, float* s0, float* s1)
            where TV : unmanaged, IVec<TV>
        {
            TV b = TV.MulAdd(TV.Splat(k.Mu), TV.Load(s0), g);
            TV.Store(b, s0);
            return p - (TV.Splat(k.Lr) * b);
        }
    }

    private readonly struct Nesterov : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Update<TV>(in OptimizerCoefficients k, TV g, TV p, float* s0, float* s1)
            where TV : unmanaged, IVec<TV>
        {
            TV mu = TV.Splat(k.Mu);
            TV b = TV.MulAdd(mu, TV.Load(s0), g);
            TV.Store(b, s0);
            return p - (TV.Splat(k.Lr) * TV.MulAdd(mu, b, g));
        }
    }

    private readonly struct Adagrad : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Update<TV>(in OptimizerCoefficients k, TV g, TV p, float* s0, float* s1)
            where TV : unmanaged, IVec<TV>
        {
            TV sum = TV.MulAdd(g, g, TV.Load(s0));
            TV.Store(sum, s0);
            return p - (TV.Splat(k.Lr) * g / (TV.Sqrt(sum) + TV.Splat(k.Eps)));
        }
    }

    private readonly struct RmsProp : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Update<TV>(in OptimizerCoefficients k, TV g, TV p, float* s0, float* s1)
            where TV : unmanaged, IVec<TV>
        {
            TV v = TV.MulAdd(TV.Splat(k.B2), TV.Load(s0), TV.Splat(k.OneMinusB2) * g * g);
            TV.Store(v, s0);
            return p - (TV.Splat(k.Lr) * g / (TV.Sqrt(v) + TV.Splat(k.Eps)));
        }
    }

    private readonly struct Adam : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Update<TV>(in OptimizerCoefficients k, TV g, TV p, float* s0, float* s1)
            where TV : unmanaged, IVec<TV>
        {
            TV m = TV.MulAdd(TV.Splat(k.B1), TV.Load(s0), TV.Splat(k.OneMinusB1) * g);
            TV v = TV.MulAdd(TV.Splat(k.B2), TV.Load(s1), TV.Splat(k.OneMinusB2) * g * g);
            TV.Store(m, s0);
            TV.Store(v, s1);
            TV denominator = TV.MulAdd(TV.Sqrt(v), TV.Splat(k.AdamInverseSqrtBiasCorrection2), TV.Splat(k.Eps));
            return p - (TV.Splat(k.AdamStepSize) * m / denominator);
        }
    }

    private readonly struct Nadam : IRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Update<TV>(in OptimizerCoefficients k, TV g, TV p, float* s0, float* s1)
            where TV : unmanaged, IVec<TV>
        {
            TV m = TV.MulAdd(TV.Splat(k.B1), TV.Load(s0), TV.Splat(k.OneMinusB1) * g);
            TV v = TV.MulAdd(TV.Splat(k.B2), TV.Load(s1), TV.Splat(k.OneMinusB2) * g * g);
            TV.Store(m, s0);
            TV.Store(v, s1);
            TV d = TV.Sqrt(v * TV.Splat(k.NadamInverseBiasCorrection2)) + TV.Splat(k.Eps);
            TV gradCoefficient = TV.Splat(k.NadamGradCoefficient);
            TV momentCoefficient = TV.Splat(k.NadamMomentCoefficient);
            return p + (TV.MulAdd(gradCoefficient, g, momentCoefficient * m) / d);
        }
    }
}
