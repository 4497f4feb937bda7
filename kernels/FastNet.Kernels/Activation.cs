namespace FastNet.Kernels;

/// <summary>The formula of an <see cref="Activation"/>.</summary>
public enum ActivationKind
{
    /// <summary>f(z) = z.</summary>
    Identity,

    /// <summary>f(z) = 1 / (1 + e^(−z)).</summary>
    Sigmoid,

    /// <summary>f(z) = tanh z.</summary>
    Tanh,

    /// <summary>f(z) = max(0, z).</summary>
    Relu,

    /// <summary>f(z) = z for z &gt; 0, else α·z, with the slope α = <see cref="Activation.Slope"/> in [0, 1).</summary>
    LeakyRelu,

    /// <summary>f(z) = z·Φ(z) = ½·z·(1 + erf(z/√2)), the exact GELU.</summary>
    Gelu,

    /// <summary>f(z) = ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), GELU's tanh approximation.</summary>
    GeluTanh,
}

/// <summary>
/// A unit activation A = f(Z): its formula and, for leaky ReLU, its slope.
/// <para>
/// Most derivatives are written through the output A (σ' = a(1 − a), tanh' = 1 − a², ReLU' = [a &gt; 0], leaky
/// ReLU' = [a &gt; 0] + α·[a ≤ 0], which needs α ≥ 0; identity' = 1), so the forward pass stores only A. GELU is not
/// invertible from A (it has a minimum near z = −0.75, so two values of z give one a), and its derivative
/// Φ(z) + z·φ(z) needs Z: for the kinds with <see cref="NeedsPreActivation"/> the dense ops also store Z in a buffer
/// the caller provides (<see cref="IBackend.DenseForward"/>), which is exact and costs one [batch, units] buffer per
/// such layer; recomputing Z in the backward pass would cost a second GEMM and need the bias.
/// </para>
/// <para>
/// Softmax is not here: it exists only fused with cross-entropy (<see cref="LossKind.SoftmaxCrossEntropy"/>) on an
/// <see cref="Identity"/> output layer.
/// </para>
/// </summary>
/// <param name="Kind">The formula.</param>
/// <param name="Slope">α of <see cref="ActivationKind.LeakyRelu"/>; 0 for every other kind.</param>
public readonly record struct Activation(ActivationKind Kind, float Slope)
{
    /// <summary>f(z) = z.</summary>
    public static Activation Identity => new(ActivationKind.Identity, 0);

    /// <summary>f(z) = 1 / (1 + e^(−z)).</summary>
    public static Activation Sigmoid => new(ActivationKind.Sigmoid, 0);

    /// <summary>f(z) = tanh z.</summary>
    public static Activation Tanh => new(ActivationKind.Tanh, 0);

    /// <summary>f(z) = max(0, z).</summary>
    public static Activation Relu => new(ActivationKind.Relu, 0);

    /// <summary>The exact GELU, z·Φ(z).</summary>
    public static Activation Gelu => new(ActivationKind.Gelu, 0);

    /// <summary>GELU's tanh approximation.</summary>
    public static Activation GeluTanh => new(ActivationKind.GeluTanh, 0);

    /// <summary>One activation of every kind, leaky ReLU with slope 0.01 (for tests and verification sweeps).</summary>
    public static IReadOnlyList<Activation> OneOfEachKind { get; } =
        [Identity, Sigmoid, Tanh, Relu, LeakyRelu(0.01f), Gelu, GeluTanh];

    /// <summary>f(z) = z for z &gt; 0, else <paramref name="slope"/>·z; the slope must be in [0, 1) so that the
    /// derivative can be read from the sign of the output.</summary>
    public static Activation LeakyRelu(float slope)
    {
        if (!(slope >= 0 && slope < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(slope), slope, "a leaky ReLU slope must be in [0, 1)");
        }
        return new(ActivationKind.LeakyRelu, slope);
    }

    /// <summary>True when the derivative needs Z, which the dense ops then store beside A.</summary>
    public bool NeedsPreActivation => Kind is ActivationKind.Gelu or ActivationKind.GeluTanh;

    /// <summary>True for the kinds the fast backends apply in a pass of their own after the product (and undo in one
    /// before the backward products) rather than inside the GEMM epilogue.</summary>
    public bool IsSeparatePass => Kind is ActivationKind.LeakyRelu or ActivationKind.Gelu or ActivationKind.GeluTanh;

    /// <summary>An upper bound on |f'(z)| over all z: 1 for every kind but the GELUs, whose derivative peaks at
    /// 1.12890 (exact form, at z = √2) and 1.12899 (tanh form); used by <see cref="Tolerance"/> to carry an error in Z
    /// through f.</summary>
    public double MaxSlope => Kind is ActivationKind.Gelu or ActivationKind.GeluTanh ? 1.13 : 1;

    /// <inheritdoc />
    public override string ToString() => Kind == ActivationKind.LeakyRelu ? $"LeakyRelu({Slope})" : Kind.ToString();
}
