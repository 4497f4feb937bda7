namespace FastNet.Kernels.Gpu;

/// <summary>
/// An activation as a type, so that a kernel generic over it is compiled for exactly one activation: the forward
/// GEMMs apply it to every output of their tile in straight-line code, and with a run-time switch each of those
/// outputs carried all four formulas.
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
    public float Apply(float z) => DeviceMath.Activate((int)Activation.Identity, z);
}

/// <summary>f(z) = 1 / (1 + e^(−z)).</summary>
public readonly struct SigmoidFunction : IActivationFunction
{
    /// <inheritdoc />
    public float Apply(float z) => DeviceMath.Activate((int)Activation.Sigmoid, z);
}

/// <summary>f(z) = tanh z.</summary>
public readonly struct TanhFunction : IActivationFunction
{
    /// <inheritdoc />
    public float Apply(float z) => DeviceMath.Activate((int)Activation.Tanh, z);
}

/// <summary>f(z) = max(0, z).</summary>
public readonly struct ReluFunction : IActivationFunction
{
    /// <inheritdoc />
    public float Apply(float z) => DeviceMath.Activate((int)Activation.Relu, z);
}

/// <summary>The type of each <see cref="Activation"/>.</summary>
public static class ActivationFunctions
{
    /// <summary>The <see cref="IActivationFunction"/> struct that computes <paramref name="activation"/>.</summary>
    public static Type For(Activation activation) => activation switch
    {
        Activation.Identity => typeof(IdentityFunction),
        Activation.Sigmoid => typeof(SigmoidFunction),
        Activation.Tanh => typeof(TanhFunction),
        Activation.Relu => typeof(ReluFunction),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
