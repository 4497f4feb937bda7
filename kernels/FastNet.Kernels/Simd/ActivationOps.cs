using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>An activation f and its derivative written through the output a = f(z), at any vector width.</summary>
internal interface IActivationOp
{
    /// <summary>f(z).</summary>
    static abstract TV Apply<TV>(TV z) where TV : unmanaged, IVec<TV>;

    /// <summary>f'(z) given a = f(z).</summary>
    static abstract TV Derivative<TV>(TV a) where TV : unmanaged, IVec<TV>;
}

/// <summary>f(z) = z.</summary>
internal readonly struct IdentityOp : IActivationOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(TV z) where TV : unmanaged, IVec<TV> => z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV>(TV a) where TV : unmanaged, IVec<TV> => TV.Splat(1);
}

/// <summary>σ(z) = 1/(1 + e^−z); σ' = a(1 − a).</summary>
internal readonly struct SigmoidOp : IActivationOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(TV z) where TV : unmanaged, IVec<TV>
    {
        TV one = TV.Splat(1);
        return one / (one + FloatMath.Exp(TV.Zero - z));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV>(TV a) where TV : unmanaged, IVec<TV> => a * (TV.Splat(1) - a);
}

/// <summary>tanh z; tanh' = 1 − a², as (1 − a)(1 + a) so that a near ±1 loses nothing to cancellation.</summary>
internal readonly struct TanhOp : IActivationOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(TV z) where TV : unmanaged, IVec<TV> => FloatMath.Tanh(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV>(TV a) where TV : unmanaged, IVec<TV>
    {
        TV one = TV.Splat(1);
        return (one - a) * (one + a);
    }
}

/// <summary>max(0, z); ReLU' = [a &gt; 0].</summary>
internal readonly struct ReluOp : IActivationOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(TV z) where TV : unmanaged, IVec<TV> => TV.Relu(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV>(TV a) where TV : unmanaged, IVec<TV> => TV.PositiveIndicator(a);
}

/// <summary>
/// An activation applied in a pass of its own (<see cref="Activation.IsSeparatePass"/>): f with its parameter, and f'
/// from what the forward pass stored (a for leaky ReLU, z for the GELUs).
/// </summary>
internal interface ISeparateActivationOp
{
    /// <summary>f(z); slope is the activation's <see cref="Activation.Slope"/> in every lane.</summary>
    static abstract TV Apply<TV>(TV z, TV slope) where TV : unmanaged, IVec<TV>;

    /// <summary>f' from the stored operand (a, or z when <see cref="Activation.NeedsPreActivation"/>).</summary>
    static abstract TV Derivative<TV>(TV stored, TV slope) where TV : unmanaged, IVec<TV>;
}

/// <summary>z for z &gt; 0, else α·z (each branch exact or one rounding); f' = [a &gt; 0] + α·[a ≤ 0], exact.</summary>
internal readonly struct LeakyReluOp : ISeparateActivationOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(TV z, TV slope) where TV : unmanaged, IVec<TV>
    {
        TV positive = TV.Relu(z);
        return positive + slope * (z - positive);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV>(TV a, TV slope) where TV : unmanaged, IVec<TV>
    {
        TV positive = TV.PositiveIndicator(a);
        return positive + slope * (TV.Splat(1) - positive);
    }
}

/// <summary>
/// GELU z·Φ(z) in float32. Φ(−|z|) = ½·erfc(|z|/√2) by the Chebyshev fit erfc x ≈ t·e^(−x² + P(t)), t = 1/(1 + x/2)
/// (Numerical Recipes in C, 2nd ed., §6.2 <c>erfcc</c>: relative error below 1.2e-7 ≈ 2u for every x ≥ 0, so the far
/// negative tail keeps its relative accuracy); Φ(z) = 1 − Φ(−z) for z &gt; 0. f'(z) = Φ(z) + z·e^(−z²/2)/√(2π).
/// </summary>
internal readonly struct GeluOp : ISeparateActivationOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(TV z, TV slope) where TV : unmanaged, IVec<TV> => z * NormalCdf(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV>(TV z, TV slope) where TV : unmanaged, IVec<TV> =>
        NormalCdf(z) + z * FloatMath.Exp(TV.Splat(-0.5f) * z * z) * TV.Splat(0.3989422804014327f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV NormalCdf<TV>(TV z) where TV : unmanaged, IVec<TV>
    {
        TV x = TV.Max(z, TV.Zero - z) * TV.Splat(0.70710678118654752f);
        TV t = TV.Splat(1) / (TV.Splat(1) + TV.Splat(0.5f) * x);
        TV p = TV.MulAdd(t, TV.Splat(0.17087277f), TV.Splat(-0.82215223f));
        p = TV.MulAdd(t, p, TV.Splat(1.48851587f));
        p = TV.MulAdd(t, p, TV.Splat(-1.13520398f));
        p = TV.MulAdd(t, p, TV.Splat(0.27886807f));
        p = TV.MulAdd(t, p, TV.Splat(-0.18628806f));
        p = TV.MulAdd(t, p, TV.Splat(0.09678418f));
        p = TV.MulAdd(t, p, TV.Splat(0.37409196f));
        p = TV.MulAdd(t, p, TV.Splat(1.00002368f));
        p = TV.MulAdd(t, p, TV.Splat(-1.26551223f));
        TV lower = TV.Splat(0.5f) * t * FloatMath.Exp(p - x * x); // Φ(−|z|)
        return lower + TV.PositiveIndicator(z) * (TV.Splat(1) - TV.Splat(2) * lower);
    }
}

/// <summary>½·z·(1 + tanh u), u = √(2/π)·(z + 0.044715·z³); f' = ½(1 + tanh u) + ½·z·(1 − tanh² u)·√(2/π)(1 + 3·0.044715·z²).</summary>
internal readonly struct GeluTanhOp : ISeparateActivationOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(TV z, TV slope) where TV : unmanaged, IVec<TV> =>
        TV.Splat(0.5f) * z * (TV.Splat(1) + Inner(z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV>(TV z, TV slope) where TV : unmanaged, IVec<TV>
    {
        TV t = Inner(z), one = TV.Splat(1);
        TV du = TV.Splat(0.7978845608028654f) * (one + TV.Splat(3 * 0.044715f) * z * z);
        return TV.Splat(0.5f) * (one + t) + TV.Splat(0.5f) * z * ((one - t) * (one + t)) * du;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Inner<TV>(TV z) where TV : unmanaged, IVec<TV> =>
        FloatMath.Tanh(TV.Splat(0.7978845608028654f) * (z + TV.Splat(0.044715f) * z * z * z));
}

/// <summary>Row-wise drivers for the activation ops: full vectors first, then the scalar tail through the same op.</summary>
internal static unsafe class Elementwise
{
    /// <summary>sum[j] += addend[j] for j &lt; n.</summary>
    public static void Add<TV>(float* addend, float* sum, int n) where TV : unmanaged, IVec<TV>
    {
        int j = 0;
        for (; j <= n - TV.Count; j += TV.Count)
        {
            TV.Store(TV.Load(sum + j) + TV.Load(addend + j), sum + j);
        }
        for (; j < n; j++)
        {
            sum[j] += addend[j];
        }
    }

    /// <summary>row[j] = f(row[j] + bias[j]) for j &lt; n; bias may be null.</summary>
    public static void BiasActivate<TV>(float* row, float* bias, int n, Activation activation)
        where TV : unmanaged, IVec<TV> =>
        BiasActivate<TV>(row, 0, 1, bias, n, activation);

    /// <summary>
    /// The same for <paramref name="rows"/> rows <paramref name="stride"/> floats apart: a GEMM's finished tile. One
    /// call and dispatch per tile, not per row (a 12 × 32 tile's rows are two vectors each): a 1024³ product with a
    /// bias and an activation ×1.012–1.030 on an AVX-512 Zen 5 (9 of 9 alternated processes).
    /// </summary>
    public static void BiasActivate<TV>(float* c, nint stride, int rows, float* bias, int n, Activation activation)
        where TV : unmanaged, IVec<TV>
    {
        switch (activation.Kind)
        {
            case ActivationKind.Identity: BiasActivateRows<TV, IdentityOp>(c, stride, rows, bias, n); break;
            case ActivationKind.Sigmoid: BiasActivateRows<TV, SigmoidOp>(c, stride, rows, bias, n); break;
            case ActivationKind.Tanh: BiasActivateRows<TV, TanhOp>(c, stride, rows, bias, n); break;
            case ActivationKind.Relu: BiasActivateRows<TV, ReluOp>(c, stride, rows, bias, n); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    private static void BiasActivateRows<TV, TAct>(float* c, nint stride, int rows, float* bias, int n)
        where TV : unmanaged, IVec<TV> where TAct : IActivationOp
    {
        for (int r = 0; r < rows; r++)
        {
            BiasActivate<TV, TAct>(c + (r * stride), bias, n);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BiasActivate<TV, TAct>(float* row, float* bias, int n)
        where TV : unmanaged, IVec<TV> where TAct : IActivationOp
    {
        int j = BiasActivateVectors<TV, TAct>(row, bias, n);
        if (j < n)
        {
            // the tail as one vector (masked where the width allows, else through a padded copy): each output gets the
            // bits of a vector's lane, which the scalar path's unfused multiply-adds would not give, and a 10-wide
            // output layer's sigmoids at 512 bits cost one vector's instead of ten scalar ones
            TV tail = TV.LoadFirst(row + j, n - j);
            TV.StoreFirst(TAct.Apply(bias == null ? tail : tail + TV.LoadFirst(bias + j, n - j)), row + j, n - j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BiasActivateVectors<TV, TAct>(float* row, float* bias, int n)
        where TV : unmanaged, IVec<TV> where TAct : IActivationOp
    {
        int j = 0;
        if (bias == null)
        {
            for (; j <= n - TV.Count; j += TV.Count)
            {
                TV.Store(TAct.Apply(TV.Load(row + j)), row + j);
            }
        }
        else
        {
            for (; j <= n - TV.Count; j += TV.Count)
            {
                TV.Store(TAct.Apply(TV.Load(row + j) + TV.Load(bias + j)), row + j);
            }
        }
        return j;
    }

    /// <summary>
    /// For rows [0, rows) and columns [j0, j1) of the [rows, stride] matrices: delta = delta ⊙ f'(a); when db is not
    /// null, db[j] = Σ_rows delta[r, j], summed in row order (the same order for any split of the columns).
    /// </summary>
    public static void DeltaAndColumnSums<TV>(float* delta, float* a, float* db, int rows, int stride, int j0, int j1,
        Activation activation) where TV : unmanaged, IVec<TV>
    {
        switch (activation.Kind)
        {
            case ActivationKind.Identity: DeltaAndColumnSums<TV, IdentityOp>(delta, a, db, rows, stride, j0, j1, false); break;
            case ActivationKind.Sigmoid: DeltaAndColumnSums<TV, SigmoidOp>(delta, a, db, rows, stride, j0, j1, true); break;
            case ActivationKind.Tanh: DeltaAndColumnSums<TV, TanhOp>(delta, a, db, rows, stride, j0, j1, true); break;
            case ActivationKind.Relu: DeltaAndColumnSums<TV, ReluOp>(delta, a, db, rows, stride, j0, j1, true); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    private static void DeltaAndColumnSums<TV, TAct>(float* delta, float* a, float* db, int rows, int stride, int j0,
        int j1, bool scale) where TV : unmanaged, IVec<TV> where TAct : IActivationOp
    {
        if (db != null)
        {
            new Span<float>(db + j0, j1 - j0).Clear();
        }
        for (int r = 0; r < rows; r++)
        {
            float* d = delta + ((nint)r * stride), o = a + ((nint)r * stride);
            int j = DeltaVectors<TV, TAct>(d, o, db, j0, j1, scale);
            DeltaVectors<V1, TAct>(d, o, db, j, j1, scale);
        }
    }

    private static int DeltaVectors<TV, TAct>(float* d, float* a, float* db, int j0, int j1, bool scale)
        where TV : unmanaged, IVec<TV> where TAct : IActivationOp
    {
        int j = j0;
        for (; j <= j1 - TV.Count; j += TV.Count)
        {
            TV v = TV.Load(d + j);
            if (scale)
            {
                v *= TAct.Derivative(TV.Load(a + j));
                TV.Store(v, d + j);
            }
            if (db != null)
            {
                TV.Store(TV.Load(db + j) + v, db + j);
            }
        }
        return j;
    }

    /// <summary>a[e] = f(z[e]) for e &lt; n (a may be z) for an activation with <see cref="Activation.IsSeparatePass"/>.</summary>
    public static void ActivateSeparately<TV>(float* z, float* a, long n, Activation activation)
        where TV : unmanaged, IVec<TV>
    {
        switch (activation.Kind)
        {
            case ActivationKind.LeakyRelu: Activate<TV, LeakyReluOp>(z, a, n, activation.Slope); break;
            case ActivationKind.Gelu: Activate<TV, GeluOp>(z, a, n, 0); break;
            case ActivationKind.GeluTanh: Activate<TV, GeluTanhOp>(z, a, n, 0); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "not a separate-pass activation");
        }
    }

    /// <summary>delta[e] = delta[e]·f'(stored[e]) for e &lt; n, stored being a (leaky ReLU) or z (the GELUs).</summary>
    public static void ScaleByDerivative<TV>(float* stored, float* delta, long n, Activation activation)
        where TV : unmanaged, IVec<TV>
    {
        switch (activation.Kind)
        {
            case ActivationKind.LeakyRelu: Scale<TV, LeakyReluOp>(stored, delta, n, activation.Slope); break;
            case ActivationKind.Gelu: Scale<TV, GeluOp>(stored, delta, n, 0); break;
            case ActivationKind.GeluTanh: Scale<TV, GeluTanhOp>(stored, delta, n, 0); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "not a separate-pass activation");
        }
    }

    private static void Activate<TV, TAct>(float* z, float* a, long n, float slope)
        where TV : unmanaged, IVec<TV> where TAct : ISeparateActivationOp
    {
        TV s = TV.Splat(slope);
        long e = 0;
        for (; e <= n - TV.Count; e += TV.Count)
        {
            TV.Store(TAct.Apply(TV.Load(z + e), s), a + e);
        }
        if (e < n)
        {
            // as one vector, for the bits of a vector's lane (see BiasActivate)
            int tail = (int)(n - e);
            TV.StoreFirst(TAct.Apply(TV.LoadFirst(z + e, tail), s), a + e, tail);
        }
    }

    private static void Scale<TV, TAct>(float* stored, float* delta, long n, float slope)
        where TV : unmanaged, IVec<TV> where TAct : ISeparateActivationOp
    {
        TV s = TV.Splat(slope);
        long e = 0;
        for (; e <= n - TV.Count; e += TV.Count)
        {
            TV.Store(TV.Load(delta + e) * TAct.Derivative(TV.Load(stored + e), s), delta + e);
        }
        if (e < n)
        {
            int tail = (int)(n - e);
            TV.StoreFirst(TV.LoadFirst(delta + e, tail) * TAct.Derivative(TV.LoadFirst(stored + e, tail), s),
                delta + e, tail);
        }
    }
}
