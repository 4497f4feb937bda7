using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// LARS and LAMB as the papers write them, in float64, independent of the backends' code: LARS (You, Gitman, Ginsburg
/// 2017, Algorithm 1) and LAMB (You et al. 2019, Algorithm 2), with the variant <see cref="OptimizerKind"/> states
/// (biases not adapted, a zero norm gives ratio 1). <see cref="Check"/> runs a few steps of
/// <see cref="IBackend.TrustRatioStep"/> on a backend and compares each with the formula applied to the same inputs.
/// Shared by the CPU and the GPU test projects.
/// </summary>
public static class TrustRatioFormula
{
    /// <summary>What the segment starts from.</summary>
    public enum Start
    {
        /// <summary>Random weights and gradients.</summary>
        Random,

        /// <summary>All weights zero (a zero-initialized layer): ‖w‖ = 0.</summary>
        ZeroWeights,

        /// <summary>All gradients zero: ‖∇‖ = 0 (LARS), ‖u‖ = 0 as well for LAMB at step 1 without weight decay.</summary>
        ZeroGradients,
    }

    /// <summary>η, μ, β1, β2, ε, τ of the checks.</summary>
    public const double LearningRate = 0.5, Momentum = 0.9, Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-6, Trust = 1e-3;

    /// <summary>
    /// Three steps on <paramref name="backend"/>, each compared with <see cref="Expected"/> from the backend's own
    /// values before the step. The parameters and LARS's buffer depend on the trust ratio, a reduction over the n
    /// elements of the segment, so they are held to the bound of a reduction of n terms; LAMB's m and v are
    /// elementwise.
    /// </summary>
    public static void Check(IBackend backend, OptimizerKind kind, int n, bool adapt, double weightDecay, Start start,
        int seed)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var random = new Random(seed);
        float[] w = start == Start.ZeroWeights ? new float[n] : Uniform(random, n, 1);
        using FloatBuffer wBuffer = backend.Allocate(n), gBuffer = backend.Allocate(n);
        using FloatBuffer mBuffer = backend.Allocate(n), vBuffer = backend.Allocate(Math.Max(n, 1));
        BufferView v = kind == OptimizerKind.Lamb ? vBuffer.Slice(0, n) : BufferView.Empty;
        backend.Upload(w, wBuffer.All);
        // zeros uploaded rather than filled: a launch less per buffer where launches are emulated
        backend.Upload(new float[n], mBuffer.All);
        backend.Upload(new float[vBuffer.Length], vBuffer.All);
        double product = 1;
        for (int t = 1; t <= 3; t++)
        {
            float[] g = start == Start.ZeroGradients ? new float[n] : Uniform(random, n, 0.1);
            backend.Upload(g, gBuffer.All);
            float[] w0 = Download(backend, wBuffer.All), m0 = Download(backend, mBuffer.All);
            float[] v0 = kind == OptimizerKind.Lamb ? Download(backend, v) : [];
            OptimizerStep step = OptimizerStep.Create(kind, LearningRate, kind == OptimizerKind.Lars ? Momentum : 0,
                Beta1, Beta2, Epsilon, weightDecay, t, ref product);
            step = step with { TrustCoefficient = Trust };

            backend.TrustRatioStep(gBuffer.All, step, wBuffer.All, mBuffer.All, v, adapt);

            Expectation e = Expected(kind, t, g, w0, m0, v0, adapt, weightDecay);
            string where = $"{kind} n={n} adapt={adapt} λ={weightDecay} {start} step {t}";
            Compare(where + " parameters", Download(backend, wBuffer.All), e.W, n, e.WScale);
            Compare(where + (kind == OptimizerKind.Lars ? " momentum buffer" : " m"), Download(backend, mBuffer.All),
                e.M, kind == OptimizerKind.Lars ? n : 1, e.MScale);
            if (kind == OptimizerKind.Lamb)
            {
                Compare(where + " v", Download(backend, v), e.V, 1, e.VScale);
            }
        }
    }

    /// <summary>The values after one step and, per element, the magnitudes of the terms that made them.</summary>
    public sealed record Expectation(double[] W, double[] WScale, double[] M, double[] MScale, double[] V,
        double[] VScale, double Ratio);

    /// <summary>One step of the paper's rule from (w, m, v) with gradient g, step t (1-based).</summary>
    public static Expectation Expected(OptimizerKind kind, int t, float[] g, float[] w, float[] m, float[] v,
        bool adapt, double weightDecay)
    {
        int n = g.Length;
        double lambda = adapt ? weightDecay : 0;
        double[] w1 = new double[n], wScale = new double[n], m1 = new double[n], mScale = new double[n];
        double[] v1 = new double[kind == OptimizerKind.Lamb ? n : 0], vScale = new double[v1.Length];
        double wNorm = Norm(w.Select(x => (double)x));
        if (kind == OptimizerKind.Lars)
        {
            // λˡ = τ·‖w‖/(‖∇L(w)‖ + β‖w‖); v ← m·v + γ·λˡ·(∇L(w) + βw); w ← w − v
            double gNorm = Norm(g.Select(x => (double)x));
            double local = adapt && wNorm > 0 && gNorm > 0 ? Trust * wNorm / (gNorm + lambda * wNorm) : 1;
            for (int i = 0; i < n; i++)
            {
                m1[i] = Momentum * m[i] + LearningRate * local * (g[i] + lambda * w[i]);
                w1[i] = w[i] - m1[i];
                mScale[i] = Momentum * Math.Abs(m[i])
                    + LearningRate * local * (Math.Abs(g[i]) + lambda * Math.Abs(w[i])) + Math.Abs(m1[i]);
                wScale[i] = Math.Abs(w[i]) + mScale[i] + Math.Abs(w1[i]);
            }
            return new Expectation(w1, wScale, m1, mScale, v1, vScale, local);
        }
        // m ← β1m + (1 − β1)g; v ← β2v + (1 − β2)g²; m̂ = m/(1 − β1ᵗ); v̂ = v/(1 − β2ᵗ); r = m̂/(√v̂ + ε);
        // x ← x − η·φ(‖x‖)/‖r + λx‖·(r + λx), φ the identity
        double[] u = new double[n], r = new double[n];
        for (int i = 0; i < n; i++)
        {
            m1[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
            v1[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * (double)g[i];
            mScale[i] = Beta1 * Math.Abs(m[i]) + (1 - Beta1) * Math.Abs(g[i]) + Math.Abs(m1[i]);
            vScale[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * (double)g[i] + v1[i];
            double mHat = m1[i] / (1 - Math.Pow(Beta1, t)), vHat = v1[i] / (1 - Math.Pow(Beta2, t));
            r[i] = mHat / (Math.Sqrt(vHat) + Epsilon);
            u[i] = r[i] + lambda * w[i];
        }
        double uNorm = Norm(u);
        double ratio = adapt && wNorm > 0 && uNorm > 0 ? wNorm / uNorm : 1;
        for (int i = 0; i < n; i++)
        {
            w1[i] = w[i] - LearningRate * ratio * u[i];
            wScale[i] = Math.Abs(w[i]) + LearningRate * ratio * (Math.Abs(r[i]) + lambda * Math.Abs(w[i]))
                + Math.Abs(w1[i]);
        }
        return new Expectation(w1, wScale, m1, mScale, v1, vScale, ratio);
    }

    private static double Norm(IEnumerable<double> x) => Math.Sqrt(x.Sum(e => e * e));

    // The messages are formatted only on failure: formatting one per element was most of these tests' time.
    private static void Compare(string what, float[] actual, double[] expected, int k, double[] scale)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!double.IsFinite(actual[i]))
            {
                Assert.Fail($"{what}[{i}] is {actual[i]}");
            }
            if (!Tolerance.Within(actual[i], expected[i], k, scale[i]))
            {
                Assert.Fail($"{what}[{i}]: {actual[i]:G9}, expected {expected[i]:G9} (±{Tolerance.Bound(k, scale[i]):G3})");
            }
        }
    }

    private static float[] Uniform(Random random, int n, double scale) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale))];

    private static float[] Download(IBackend backend, BufferView view)
    {
        float[] values = new float[view.Length];
        backend.Download(view, values);
        return values;
    }
}
