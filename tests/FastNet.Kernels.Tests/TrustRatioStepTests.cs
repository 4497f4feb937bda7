using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="IBackend.TrustRatioStep"/> (LARS, LAMB) on every backend, step by step against the papers' formulas
/// written in float64 (<see cref="TrustRatioFormula"/>), on awkward lengths, with and without weight decay, for
/// weights (trust ratio) and biases (ratio 1), and from a zero-norm start.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class TrustRatioStepTests
{
    public static TheoryData<string, OptimizerKind> Cases()
    {
        var data = new TheoryData<string, OptimizerKind>();
        foreach (string name in BackendsUnderTest.Names)
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
        BackendUnderTest bound = BackendsUnderTest.Get(name);
        IBackend backend = bound.Backend;
        foreach (int n in bound.Sizes.TrustRatioLengths)
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
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        foreach (TrustRatioFormula.Start start in new[] { TrustRatioFormula.Start.ZeroWeights, TrustRatioFormula.Start.ZeroGradients })
        {
            foreach (double weightDecay in new[] { 0, 0.01 })
            {
                TrustRatioFormula.Check(backend, kind, 33, adapt: true, weightDecay, start, 7);
            }
        }
    }
}
