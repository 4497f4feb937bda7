namespace FastNet.Kernels.Gpu;

/// <summary>
/// An activation as a type, so that a kernel generic over it is compiled for exactly one activation: the forward
/// GEMMs apply it to every output of their tile in straight-line code, and with a run-time switch each of those
/// outputs carried every formula.
/// </summary>
public interface IActivationFunction
{
    /// <summary>f(z), by <see cref="DeviceMath.Activate"/> with the activation fixed, so every kernel computes the
    /// same values whether it takes the activation as a type or as a number.</summary>
    float Apply(float z);
}

/// <summary>f(z) = z.</summary>
public readonly struct IdentityFunction : IActivationFunction
{
    /// <inheritdoc />
    public float Apply(float z) => DeviceMath.Activate((int)ActivationKind.Identity, z);
}

/// <summary>f(z) = 1 / (1 + e^(−z)).</summary>
public readonly struct SigmoidFunction : IActivationFunction
{
    /// <inheritdoc />
    public float Apply(float z) => DeviceMath.Activate((int)ActivationKind.Sigmoid, z);
}

/// <summary>f(z) = tanh z.</summary>
public readonly struct TanhFunction : IActivationFunction
{
    /// <inheritdoc />
    public float Apply(float z) => DeviceMath.Activate((int)ActivationKind.Tanh, z);
}

/// <summary>f(z) = max(0, z).</summary>
public readonly struct ReluFunction : IActivationFunction
{
    /// <inheritdoc />
    public float Apply(float z) => DeviceMath.Activate((int)ActivationKind.Relu, z);
}

/// <summary>The type of each activation the GEMM epilogue applies.</summary>
public static class ActivationFunctions
{
    /// <summary>The kinds the forward GEMMs apply in their epilogue (the others, with
    /// <see cref="Activation.IsSeparatePass"/>, follow an identity GEMM in a kernel of their own).</summary>
    public static IReadOnlyList<ActivationKind> Fused { get; } =
        [ActivationKind.Identity, ActivationKind.Sigmoid, ActivationKind.Tanh, ActivationKind.Relu];

    /// <summary>The <see cref="IActivationFunction"/> struct that computes <paramref name="activation"/>.</summary>
    public static Type For(ActivationKind activation) => activation switch
    {
        ActivationKind.Identity => typeof(IdentityFunction),
        ActivationKind.Sigmoid => typeof(SigmoidFunction),
        ActivationKind.Tanh => typeof(TanhFunction),
        ActivationKind.Relu => typeof(ReluFunction),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
