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
        return one / (one + TV.Exp(TV.Zero - z));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV>(TV a) where TV : unmanaged, IVec<TV> => a * (TV.Splat(1) - a);
}

/// <summary>tanh z; tanh' = 1 − a², as (1 − a)(1 + a) so that a near ±1 loses nothing to cancellation.</summary>
internal readonly struct TanhOp : IActivationOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV>(TV z) where TV : unmanaged, IVec<TV> => TV.Tanh(z);

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
        where TV : unmanaged, IVec<TV>
    {
        switch (activation)
        {
            case Activation.Identity: BiasActivate<TV, IdentityOp>(row, bias, n); break;
            case Activation.Sigmoid: BiasActivate<TV, SigmoidOp>(row, bias, n); break;
            case Activation.Tanh: BiasActivate<TV, TanhOp>(row, bias, n); break;
            case Activation.Relu: BiasActivate<TV, ReluOp>(row, bias, n); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    private static void BiasActivate<TV, TAct>(float* row, float* bias, int n)
        where TV : unmanaged, IVec<TV> where TAct : IActivationOp
    {
        int j = BiasActivateVectors<TV, TAct>(row, bias, n);
        BiasActivateVectors<V1, TAct>(row + j, bias == null ? null : bias + j, n - j);
    }

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
        switch (activation)
        {
            case Activation.Identity: DeltaAndColumnSums<TV, IdentityOp>(delta, a, db, rows, stride, j0, j1, false); break;
            case Activation.Sigmoid: DeltaAndColumnSums<TV, SigmoidOp>(delta, a, db, rows, stride, j0, j1, true); break;
            case Activation.Tanh: DeltaAndColumnSums<TV, TanhOp>(delta, a, db, rows, stride, j0, j1, true); break;
            case Activation.Relu: DeltaAndColumnSums<TV, ReluOp>(delta, a, db, rows, stride, j0, j1, true); break;
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
}
