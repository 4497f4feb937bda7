using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="IBackend.TrustRatioStep"/> (LARS, LAMB) on every CPU backend, step by step against the papers' formulas
/// written in float64 (<see cref="TrustRatioFormula"/>), on awkward lengths, with and without weight decay, for
/// weights (trust ratio) and biases (ratio 1), and from a zero-norm start.
/// </summary>
public class TrustRatioStepTests
{
    public static TheoryData<string, OptimizerKind> Cases()
    {
        var data = new TheoryData<string, OptimizerKind>();
        foreach (string name in Backends.Names())
        {
            data.Add(name, OptimizerKind.Lars);
            data.Add(name, OptimizerKind.Lamb);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StepsFollowThePapersFormulas(string name, OptimizerKind kind)
    {
        using IBackend backend = Backends.Create(name);
        foreach (int n in new[] { 1, 3, 17, 33, 1000, 100_003 })
        {
            foreach (bool adapt in new[] { true, false })
            {
                foreach (double weightDecay in new[] { 0, 0.01 })
                {
                    TrustRatioFormula.Check(backend, kind, n, adapt, weightDecay, TrustRatioFormula.Start.Random, n);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AZeroNormGivesRatioOneAndNoNaN(string name, OptimizerKind kind)
    {
        using IBackend backend = Backends.Create(name);
        foreach (TrustRatioFormula.Start start in new[] { TrustRatioFormula.Start.ZeroWeights, TrustRatioFormula.Start.ZeroGradients })
        {
            foreach (double weightDecay in new[] { 0, 0.01 })
            {
                TrustRatioFormula.Check(backend, kind, 33, adapt: true, weightDecay, start, 7);
            }
        }
    }

    [Fact]
    public void ZeroWeightsTakeTheUnadaptedStep()
    {
        // ‖w‖ = 0: ρ = 1, so the first step equals the bias step (momentum SGD, Adam) except for the weight decay term,
        // which is zero on zero weights.
        float[] g = [0.1f, -0.2f, 0.3f];
        foreach (OptimizerKind kind in new[] { OptimizerKind.Lars, OptimizerKind.Lamb })
        {
            var adapted = TrustRatioFormula.Expected(kind, 1, g, new float[3], new float[3], new float[3], true, 0.01);
            var plain = TrustRatioFormula.Expected(kind, 1, g, new float[3], new float[3], new float[3], false, 0.01);
            Assert.Equal(1, adapted.Ratio);
            Assert.Equal(plain.W, adapted.W);
        }
    }

    [Fact]
    public void TheFlatOptimizerStepRefusesLayerwiseRules()
    {
        using IBackend backend = Backends.Reference();
        using FloatBuffer p = backend.Allocate(3), g = backend.Allocate(3), s = backend.Allocate(6);
        double product = 1;
        OptimizerStep step = OptimizerStep.Create(OptimizerKind.Lamb, 1e-3, 0, 0.9, 0.999, 1e-6, 0, 1, ref product);
        var e = Assert.Throws<ArgumentException>(() => backend.OptimizerStep(g.All, step, p.All, s.All));
        Assert.Contains(nameof(IBackend.TrustRatioStep), e.Message, StringComparison.Ordinal);
    }
}
