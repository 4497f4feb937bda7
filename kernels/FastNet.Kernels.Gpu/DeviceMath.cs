namespace FastNet.Kernels.Gpu;

/// <summary>
/// Activations and their derivatives as kernels evaluate them, in float32. Every function here is plain arithmetic
/// plus <see cref="MathF.Exp"/>, so it compiles for every ILGPU accelerator and runs unchanged on the host.
/// </summary>
public static class DeviceMath
{
    /// <summary>Below this |x| tanh uses its Taylor polynomial; above it the exponential formula has no cancellation
    /// worth speaking of (1 − 2/(e^(2x) + 1) keeps more than half of its leading bit at 0.625).</summary>
    public const float TanhPolynomialLimit = 0.625f;

    // tanh x = x + x³·(c3 + x²·(c5 + …)): the Taylor coefficients 2²ⁿ(2²ⁿ − 1)B₂ₙ/(2n)!. Eleven terms leave a
    // truncation error below 1.3e-9 relative at |x| = 0.625, far under float32's 6e-8.
    private const float T3 = -0.333333333333333333f;
    private const float T5 = 0.133333333333333333f;
    private const float T7 = -0.0539682539682539683f;
    private const float T9 = 0.0218694885361552028f;
    private const float T11 = -0.00886323552990219657f;
    private const float T13 = 0.00359212803657248102f;
    private const float T15 = -0.00145583438705131827f;
    private const float T17 = 0.000590027440945585981f;
    private const float T19 = -0.000239129114243552481f;
    private const float T21 = 0.0000969153795692945069f;

    /// <summary>tanh in float32 to about an ulp: an odd polynomial near zero (where e^(2x) − 1 would cancel), the
    /// exponential formula beyond. ILGPU's own tanh compiles to the GPU's approximate instruction (about 131 ulp).</summary>
    public static float Tanh(float x)
    {
        float ax = x < 0 ? -x : x;
        if (ax < TanhPolynomialLimit)
        {
            float x2 = x * x;
            float p = T21;
            p = p * x2 + T19;
            p = p * x2 + T17;
            p = p * x2 + T15;
            p = p * x2 + T13;
            p = p * x2 + T11;
            p = p * x2 + T9;
            p = p * x2 + T7;
            p = p * x2 + T5;
            p = p * x2 + T3;
            return x + x * x2 * p;
        }
        // e^(2|x|) overflows to +∞ beyond |x| ≈ 44, which gives exactly 1.
        float t = 1f - 2f / (MathF.Exp(2f * ax) + 1f);
        return x < 0 ? -t : t;
    }

    /// <summary>σ(z) = 1 / (1 + e^(−z)); for very negative z, e^(−z) = +∞ gives exactly 0.</summary>
    public static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));

    /// <summary>f(z) for an <see cref="Activation"/> passed as its int value (kernels take enums as ints).</summary>
    public static float Activate(int activation, float z)
    {
        if (activation == (int)Activation.Sigmoid)
        {
            return Sigmoid(z);
        }
        if (activation == (int)Activation.Tanh)
        {
            return Tanh(z);
        }
        if (activation == (int)Activation.Relu)
        {
            return z > 0 ? z : 0f;
        }
        return z;
    }

    /// <summary>f'(z) written through the output a = f(z).</summary>
    public static float Derivative(int activation, float a)
    {
        if (activation == (int)Activation.Sigmoid)
        {
            return a * (1f - a);
        }
        if (activation == (int)Activation.Tanh)
        {
            return 1f - a * a;
        }
        if (activation == (int)Activation.Relu)
        {
            return a > 0 ? 1f : 0f;
        }
        return 1f;
    }
}
