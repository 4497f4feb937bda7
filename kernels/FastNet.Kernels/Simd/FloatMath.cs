using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// e^x and tanh x in float32, written once over <see cref="IVec{TSelf}"/> so every width (the scalar tails included)
/// computes each lane alike, within the few ulp that <see cref="Tolerance"/> budgets for them: over every float of
/// ±[2^-30, 87] on an AVX-512 machine, at 512 bits and on the scalar path, tanh and the sigmoid 1/(1 + e^−z) were at
/// most 2 floats from the correctly rounded value; the kernel tests hold them to the bounds of the error analysis.
/// They replaced .NET's <c>Vector512.Exp</c> and a tanh evaluated in float64, which every element of a sigmoid or tanh
/// layer's forward pass paid: over a 1024 × 784 → 1024 product with bias on two threads, the sigmoid's cost on top of
/// the identity's went from about 500 to 180–260 µs, and tanh's from about 1,000 to 170–280.
/// </summary>
internal static class FloatMath
{
    // beyond these e^x rounds to 0 (below 2^-150) or overflows (above 2^128); inside them 2^n stays a product of two
    // normal powers of two
    private const float ExpLowest = -104f, ExpHighest = 89f;
    private const float Log2E = 1.44269502f;
    // ln 2 in two parts (Cody and Waite): the first has 9 significant bits, so n·Ln2High is exact for |n| ≤ 2^15
    private const float Ln2High = 0.693359375f, Ln2Low = -2.12194442e-4f;

    /// <summary>
    /// e^x: x = n·ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2, e^r by its Taylor series to r⁷ (whose
    /// truncation, r⁸/8! ≤ 3e-9, is under 0.05 ulp), then scaled by 2^n in one rounding. +∞ gives +∞, −∞ gives 0 and
    /// NaN gives NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV>(TV x) where TV : unmanaged, IVec<TV>
    {
        x = TV.Clamp(x, TV.Splat(ExpLowest), TV.Splat(ExpHighest));
        TV n = TV.RoundToEven(x * TV.Splat(Log2E));
        TV r = TV.MulAdd(n, TV.Splat(-Ln2High), x);
        r = TV.MulAdd(n, TV.Splat(-Ln2Low), r);
        TV p = TV.MulAdd(TV.Splat(1f / 5040), r, TV.Splat(1f / 720));
        p = TV.MulAdd(p, r, TV.Splat(1f / 120));
        p = TV.MulAdd(p, r, TV.Splat(1f / 24));
        p = TV.MulAdd(p, r, TV.Splat(1f / 6));
        p = TV.MulAdd(p, r, TV.Splat(0.5f));
        p = TV.MulAdd(p, r, TV.Splat(1f));
        p = TV.MulAdd(p, r, TV.Splat(1f));
        // 2^n as two normal powers of two (n is in [−150, 128]): p times the first is exact, times the second rounds
        // once, to a subnormal where the result is one
        TV half = TV.RoundToEven(n * TV.Splat(0.5f));
        return p * TV.PowerOfTwo(half) * TV.PowerOfTwo(n - half);
    }

    // below this |z|, tanh z = z + z³·P(z²); above it 1 − 2/(e^2|z| + 1), where 2/(e^2|z| + 1) < 0.5 cancels
    // at most one bit
    private const float TanhPolynomialBelow = 0.55f;
    // tanh z rounds to 1 in float32 from |z| ≈ 9.01; clamping there keeps e^2|z| finite
    private const float TanhSaturated = 10f;
    // (tanh z − z)/z³ as a polynomial in z² on [0, 0.55²]: interpolated at the Chebyshev nodes of the series
    // Σ 2^2n (2^2n − 1) B_2n z^(2n−3) / (2n)!; relative error under 0.1 ulp with these float32 coefficients
    private const float Tanh3 = -3.33333313e-1f, Tanh5 = 1.33331135e-1f, Tanh7 = -5.39094284e-2f,
        Tanh9 = 2.13093888e-2f, Tanh11 = -6.61022775e-3f;

    /// <summary>tanh z: an odd polynomial near 0, 1 − 2/(e^2|z| + 1) elsewhere, with z's sign. ±∞ gives ±1, ±0
    /// gives ±0 and NaN gives NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TV>(TV z) where TV : unmanaged, IVec<TV>
    {
        TV a = TV.Abs(z), s = a * a;
        TV p = TV.MulAdd(TV.Splat(Tanh11), s, TV.Splat(Tanh9));
        p = TV.MulAdd(p, s, TV.Splat(Tanh7));
        p = TV.MulAdd(p, s, TV.Splat(Tanh5));
        p = TV.MulAdd(p, s, TV.Splat(Tanh3));
        TV near = TV.MulAdd(a * s, p, a);
        TV one = TV.Splat(1f);
        TV e = Exp(TV.Splat(2f) * TV.Clamp(a, TV.Zero, TV.Splat(TanhSaturated)));
        TV far = one - (TV.Splat(2f) / (e + one));
        return TV.CopySign(TV.LessThanSelect(a, TV.Splat(TanhPolynomialBelow), near, far), z);
    }
}
