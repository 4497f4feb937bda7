using FastNet.Kernels.Tests;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// <see cref="IBackend.TrustRatioStep"/> (LARS, LAMB) on the GPU kernels, step by step against the papers' formulas in
/// float64 (<see cref="TrustRatioFormula"/>, shared with the CPU suite), including a zero-norm start.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class GpuTrustRatioStepTests(GpuFixture fixture)
{
    [Theory]
    [InlineData(OptimizerKind.Lars)]
    [InlineData(OptimizerKind.Lamb)]
    public void StepsFollowThePapersFormulas(OptimizerKind kind)
    {
        foreach (int n in new[] { 1, 7, 300, 1000 })
        {
            foreach (bool adapt in new[] { true, false })
            {
                foreach (double weightDecay in new[] { 0, 0.01 })
                {
                    TrustRatioFormula.Check(fixture.Backend, kind, n, adapt, weightDecay,
                        TrustRatioFormula.Start.Random, n);
                }
            }
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Lars)]
    [InlineData(OptimizerKind.Lamb)]
    public void AZeroNormGivesRatioOneAndNoNaN(OptimizerKind kind)
    {
        foreach (TrustRatioFormula.Start start in new[] { TrustRatioFormula.Start.ZeroWeights, TrustRatioFormula.Start.ZeroGradients })
        {
            TrustRatioFormula.Check(fixture.Backend, kind, 33, adapt: true, weightDecay: 0.01, start, 7);
        }
    }
}
