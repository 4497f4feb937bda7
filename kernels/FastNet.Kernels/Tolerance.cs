namespace FastNet.Kernels;

/// <summary>
/// The one tolerance rule by which a fast backend is compared with the reference (tests and <c>fastnet verify</c>).
/// <para>
/// Derivation. Let u = 2⁻²⁴ be float32's unit roundoff. A float32 sum of K products, in any order and with or without
/// FMA, differs from the exact sum by at most γ_K·Σ|aᵢbᵢ| with γ_K = K·u/(1 − K·u) ≈ K·u (Higham, Accuracy and
/// Stability of Numerical Algorithms, §3.1). The reference accumulates in float64, so its own error is one rounding
/// on store (u·|ref|). What follows the reduction in the same op (bias add, activation, derivative product, loss
/// and optimizer arithmetic, the final store) is a short chain of float32 operations with library functions
/// (exp, tanh, sqrt, erfc) accurate to a few ulp, and with derivatives of magnitude at most 1 except as below;
/// it adds at most <see cref="ElementwiseSlack"/> roundings of the magnitudes involved. Hence
/// </para>
/// <para>|x − ref| ≤ atol + (K + s)·u·S, with S = Σ|aᵢbᵢ| (or, for an elementwise op, the sum of the magnitudes of
/// its operands and result), s = <see cref="ElementwiseSlack"/> and atol = <see cref="AbsoluteFloor"/>. A sum that is
/// itself an operand (the optimizers' ∇ + λθ) counts at the magnitudes of its terms, |∇| + |λθ|: its rounding is
/// relative to them, not to a result that may cancel.</para>
/// <para>
/// Activations whose slope exceeds 1 and derivatives that cancel. An error δ in Z reaches A = f(Z) as |f'|·δ, so a
/// dense forward pass counts its reduction's terms times L = <see cref="Activation.MaxSlope"/> (1, or 1.13 for the
/// GELUs, whose derivative peaks at 1.129). The fast backends evaluate GELU through Φ(−|z|) = ½·erfc(|z|/√2) with a
/// Chebyshev fit of relative error below 1.2e-7 ≈ 2u (Numerical Recipes' <c>erfcc</c>), then exp (under 2 ulp, 4u), the
/// fit's nine multiply-adds (t ∈ (0, 1], a few u) and the products z·Φ and Φ + z·φ: about 12u of |A|, inside the slack;
/// the rounding of x² inside e^(−x²) adds u·x²·|A| = u·(z²/2)·|z|·Φ(−|z|) ≤ 0.1u·|z|, which the reduction's terms
/// (≥ |z|) cover. GELU' = Φ(z) + z·φ(z) has terms of opposite signs for z &lt; 0 (it crosses zero at z ≈ −0.75), so
/// dZ's error is relative to |∂L/∂A|·(Φ(z) + |z·φ(z)|), not to |dZ|, plus |z·f''(z)| for the roundings in the
/// argument of erfc or tanh (<see cref="PreActivationDerivativeScale"/>); the reductions over dZ (dW, db, dX) count
/// that magnitude, max(|dZ|, |∂L/∂A|·scale of f'), for every activation. The reference's erf (float64, relative error
/// below 3e-11, see <c>ReferenceBackend.Erf</c>) adds nothing visible at float32's u = 6e-8.
/// </para>
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

    /// <summary>
    /// The magnitude a float32 evaluation of f'(z) is relative to, for the activations whose derivative is taken at Z
    /// (the GELUs): the sum of the magnitudes of its terms (Φ(z) + |z·φ(z)|; for the tanh form ½(1 + |t|), its second
    /// term, and |z·t·u'| for the rounding of t = tanh u, which is relative to |t| while 1 ± t cancel) plus |z·f''(z)|,
    /// since the argument of erfc, exp or tanh is formed from z with a few roundings relative to |z|, which moves f' by
    /// f''·(that perturbation). f'' is taken by a central difference of the float64 f', enough for a magnitude.
    /// </summary>
    public static double PreActivationDerivativeScale(Activation activation, double z)
    {
        double terms;
        if (activation.Kind == ActivationKind.Gelu)
        {
            terms = Reference.ReferenceBackend.NormalCdf(z) + (Math.Abs(z) * Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI));
        }
        else
        {
            double c = Reference.ReferenceBackend.GeluTanhScale, k = Reference.ReferenceBackend.GeluTanhCubic;
            // ½(1 + t) + ½·z·(1 − t²)·u', u' = c(1 + 3k·z²): t = tanh u is rounded relative to |t|, not to the 1 ± t
            // that cancel in the tails, and reaches f' times ½ + |z·t·u'|
            double t = Math.Tanh(c * (z + (k * z * z * z))), du = c * (1 + (3 * k * z * z));
            terms = (0.5 * (1 + Math.Abs(t))) + Math.Abs(0.5 * z * (1 - (t * t)) * du) + Math.Abs(z * t * du);
        }
        double h = 1e-4 * Math.Max(1, Math.Abs(z));
        double second = (Reference.ReferenceBackend.DerivativeAt(activation, z + h)
            - Reference.ReferenceBackend.DerivativeAt(activation, z - h)) / (2 * h);
        return terms + Math.Abs(z * second);
    }
}
