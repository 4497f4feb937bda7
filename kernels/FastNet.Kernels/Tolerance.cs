namespace FastNet.Kernels;

/// <summary>
/// The one tolerance rule by which a fast backend is compared with the reference (tests and <c>fastnet verify</c>).
/// <para>
/// Derivation. Let u = 2⁻²⁴ be float32's unit roundoff. A float32 sum of K products, in any order and with or without
/// FMA, differs from the exact sum by at most γ_K·Σ|aᵢbᵢ| with γ_K = K·u/(1 − K·u) ≈ K·u (Higham, Accuracy and
/// Stability of Numerical Algorithms, §3.1). The reference accumulates in float64, so its own error is one rounding
/// on store (u·|ref|). What follows the reduction in the same op (bias add, activation, derivative product, loss
/// and optimizer arithmetic, the final store) is a short chain of float32 operations with library functions
/// (exp, tanh, sqrt) accurate to a few ulp, and with derivatives of magnitude at most 1 for the activations used;
/// it adds at most <see cref="ElementwiseSlack"/> roundings of the magnitudes involved. Hence
/// </para>
/// <para>|x − ref| ≤ atol + (K + s)·u·S, with S = Σ|aᵢbᵢ| (or, for an elementwise op, the sum of the magnitudes of
/// its operands and result), s = <see cref="ElementwiseSlack"/> and atol = <see cref="AbsoluteFloor"/>. A sum that is
/// itself an operand (the optimizers' ∇ + λθ) counts at the magnitudes of its terms, |∇| + |λθ|: its rounding is
/// relative to them, not to a result that may cancel.</para>
/// <para>Derived once; never widened to make a comparison pass.</para>
/// </summary>
public static class Tolerance
{
    /// <summary>u = 2⁻²⁴, float32's unit roundoff.</summary>
    public const double UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>
    /// Roundings allowed for the elementwise work around a reduction: two stores (reference and candidate), up to
    /// four ulp (eight u) for exp/tanh/sqrt and the products and quotients that use them, and four for the
    /// arithmetic of the longest optimizer rule (Nadam's two quotients and two products).
    /// </summary>
    public const int ElementwiseSlack = 16;

    /// <summary>Below float32's smallest normal number differences are meaningless.</summary>
    public const double AbsoluteFloor = 1.1754944e-38;

    /// <summary>The allowed |candidate − reference| for a value reduced over <paramref name="k"/> terms of absolute
    /// sum <paramref name="absoluteSum"/> (k = 1 for an elementwise op).</summary>
    public static double Bound(int k, double absoluteSum) =>
        AbsoluteFloor + (k + ElementwiseSlack) * UnitRoundoff * absoluteSum;

    /// <summary>True when <paramref name="candidate"/> is within <see cref="Bound"/> of <paramref name="reference"/>.
    /// NaN or infinity on either side fails unless both are the same non-finite value.</summary>
    public static bool Within(double candidate, double reference, int k, double absoluteSum)
    {
        if (!double.IsFinite(candidate) || !double.IsFinite(reference))
        {
            return candidate.Equals(reference);
        }
        return Math.Abs(candidate - reference) <= Bound(k, absoluteSum);
    }
}
