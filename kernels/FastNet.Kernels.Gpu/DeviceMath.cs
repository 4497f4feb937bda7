using ILGPU;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// exp, log, the activations and their derivatives as kernels evaluate them, in float32. Everything here is plain
/// float arithmetic, so every ILGPU accelerator computes the same values; in particular exp does not go through
/// CUDA's approximate ex2, whose error grows with |x| (about 16 ulp for sigmoid over [−20, 20]).
/// </summary>
public static class DeviceMath
{
    // exp: x = n·ln2 + r with |r| ≤ ln2/2, ln2 split so that n·Ln2High is exact (Cody and Waite); e^r by its Taylor
    // polynomial to r⁷/7! (truncation below 6e-9 relative); 2ⁿ applied as two exact power-of-two factors so that
    // neither overflows before the result does.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693145751953125f;
    private const float Ln2Low = 1.42860676533018700e-6f;
    private const float ExpOverflow = 88.7228394f;
    private const float ExpUnderflow = -103.972084f;

    /// <summary>
    /// a·b rounded to float by itself, never contracted into an FMA with the addition that consumes it, so a product
    /// computed in a fused kernel rounds as the same product stored by one kernel and read by the next. The double
    /// product of two floats is exact (48 significant bits), so rounding it once to float gives a·b correctly rounded
    /// on every accelerator; on CUDA the PTX assembler cannot fuse a conversion with an addition. (Inline
    /// <c>mul.rn.f32</c> did the same, but ILGPU returns an inline-PTX result through a local-memory slot, which the
    /// assembler kept as a store per weight.)
    /// </summary>
    public static float RoundedProduct(float a, float b) => (float)((double)a * b);

    /// <summary>e^x to about an ulp; +∞ above ln(float.MaxValue), 0 below the smallest subnormal's log.</summary>
    public static float Exp(float x)
    {
        if (float.IsNaN(x))
        {
            return x;
        }
        if (x > ExpOverflow)
        {
            return float.PositiveInfinity;
        }
        if (x < ExpUnderflow)
        {
            return 0f;
        }
        float t = x * Log2E;
        int n = (int)(t < 0 ? t - 0.5f : t + 0.5f);
        float r = x - n * Ln2High - n * Ln2Low;
        float p = 1.98412698412698413e-4f;
        p = p * r + 1.38888888888888889e-3f;
        p = p * r + 8.33333333333333333e-3f;
        p = p * r + 4.16666666666666667e-2f;
        p = p * r + 0.166666666666666667f;
        p = p * r + 0.5f;
        p = p * r + 1f;
        p = p * r + 1f;
        int half = n / 2;
        return p * PowerOfTwo(half) * PowerOfTwo(n - half);
    }

    /// <summary>
    /// ln x to within an ulp, in plain float arithmetic (CUDA's own log goes through the approximate lg2):
    /// x = 2ᵉ·m with m in [√½, √2), then ln m = ln(1 + f) = 2·atanh(s) with s = f/(2 + f), |s| ≤ 0.172, written
    /// as f − f²/2 + s·(f²/2 + R) so that the large terms are exact and only the small correction
    /// R = 2s²/3 + 2s⁴/5 + … (Taylor to s¹⁰, truncation below 2e-10 relative) carries rounding error.
    /// −∞ at 0, NaN below 0 and for NaN.
    /// </summary>
    public static float Log(float x)
    {
        if (!(x > 0f))
        {
            return x == 0f ? float.NegativeInfinity : float.NaN;
        }
        if (x == float.PositiveInfinity)
        {
            return x;
        }
        int e = 0;
        if (x < SmallestNormal)
        {
            x *= TwoTo25; // exact: subnormals become normal
            e = -25;
        }
        uint bits = Interop.FloatAsInt(x);
        e += (int)(bits >> 23) - 127;
        float m = Interop.IntAsFloat((bits & 0x007FFFFFu) | 0x3F800000u); // [1, 2)
        if (m > Sqrt2)
        {
            m *= 0.5f; // exact
            e++;
        }
        float f = m - 1f; // exact (Sterbenz): m is within a factor 2 of 1
        float s = f / (2f + f);
        float z = s * s;
        float r = z * (0.666666666666666667f + z * (0.4f + z * (0.285714285714285714f
            + z * (0.222222222222222222f + z * 0.181818181818181818f))));
        float halfSquare = 0.5f * f * f;
        return e * Ln2High - ((halfSquare - (s * (halfSquare + r) + e * Ln2Low)) - f);
    }

    private const float SmallestNormal = 1.17549435e-38f;
    private const float TwoTo25 = 33554432f;
    private const float Sqrt2 = 1.41421356f;

    // 2ⁿ for −126 ≤ n ≤ 127, built from its exponent bits.
    private static float PowerOfTwo(int n) => Interop.IntAsFloat((uint)(n + 127) << 23);

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
        float t = 1f - 2f / (Exp(2f * ax) + 1f);
        return x < 0 ? -t : t;
    }

    /// <summary>σ(z) = 1 / (1 + e^(−z)); for very negative z, e^(−z) = +∞ gives exactly 0.</summary>
    public static float Sigmoid(float z) => 1f / (1f + Exp(-z));

    /// <summary>f(z) for an <see cref="Activation"/> passed as its int value (kernels take enums as ints).</summary>
    public static float Activate(int activation, float z)
    {
        if (activation == (int)ActivationKind.Sigmoid)
        {
            return Sigmoid(z);
        }
        if (activation == (int)ActivationKind.Tanh)
        {
            return Tanh(z);
        }
        if (activation == (int)ActivationKind.Relu)
        {
            return z > 0 ? z : 0f;
        }
        return z;
    }

    /// <summary>f'(z) written through the output a = f(z).</summary>
    public static float Derivative(int activation, float a)
    {
        if (activation == (int)ActivationKind.Sigmoid)
        {
            return a * (1f - a);
        }
        if (activation == (int)ActivationKind.Tanh)
        {
            return 1f - a * a;
        }
        if (activation == (int)ActivationKind.Relu)
        {
            return a > 0 ? 1f : 0f;
        }
        return 1f;
    }

    /// <summary>
    /// f(z) for the activations applied in a pass of their own (<see cref="Activation.IsSeparatePass"/>), the
    /// <see cref="ActivationKind"/> passed as its int value. GELU's Φ(−|z|) = ½·erfc(|z|/√2) comes from the Chebyshev
    /// fit erfc x ≈ t·e^(−x² + P(t)), t = 1/(1 + x/2) (Numerical Recipes in C, 2nd ed., §6.2 <c>erfcc</c>; relative
    /// error below 1.2e-7 for every x ≥ 0), the same formula as the SIMD backend's.
    /// </summary>
    public static float ActivateSeparately(int activation, float slope, float z)
    {
        if (activation == (int)ActivationKind.LeakyRelu)
        {
            return z > 0 ? z : slope * z;
        }
        if (activation == (int)ActivationKind.Gelu)
        {
            return z * NormalCdf(z);
        }
        // GELU, tanh form: ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))
        return 0.5f * z * (1f + Tanh(GeluTanhScale * (z + 0.044715f * z * z * z)));
    }

    /// <summary>f' of a separate-pass activation from what the forward pass stored: a for leaky ReLU, z for the
    /// GELUs.</summary>
    public static float SeparateDerivative(int activation, float slope, float stored)
    {
        if (activation == (int)ActivationKind.LeakyRelu)
        {
            return stored > 0 ? 1f : slope;
        }
        float z = stored;
        if (activation == (int)ActivationKind.Gelu)
        {
            // Φ(z) + z·φ(z)
            return NormalCdf(z) + z * Exp(-0.5f * z * z) * 0.3989422804014327f;
        }
        float t = Tanh(GeluTanhScale * (z + 0.044715f * z * z * z));
        return 0.5f * (1f + t) + 0.5f * z * ((1f - t) * (1f + t)) * GeluTanhScale * (1f + 3 * 0.044715f * z * z);
    }

    private const float GeluTanhScale = 0.7978845608028654f;

    /// <summary>Φ(z), the standard normal distribution function.</summary>
    public static float NormalCdf(float z)
    {
        float x = (z < 0 ? -z : z) * 0.70710678118654752f;
        float t = 1f / (1f + 0.5f * x);
        float p = t * 0.17087277f - 0.82215223f;
        p = t * p + 1.48851587f;
        p = t * p - 1.13520398f;
        p = t * p + 0.27886807f;
        p = t * p - 0.18628806f;
        p = t * p + 0.09678418f;
        p = t * p + 0.37409196f;
        p = t * p + 1.00002368f;
        p = t * p - 1.26551223f;
        float lower = 0.5f * t * Exp(p - x * x); // Φ(−|z|)
        return z > 0 ? 1f - lower : lower;
    }
}
