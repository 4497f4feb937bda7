using FastNet.Kernels.Reference;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>The reference keeps Nadam's product Πₜ between steps; its steps must not depend on which steps came
/// before.</summary>
public class ReferenceNadamTests
{
    [Fact]
    public void AStepGivesTheSameBitsAfterAnyEarlierStepsAsOnAFreshBackend()
    {
        // in order, repeated, a jump ahead, back again, and another β1
        (double Beta1, long T)[] steps = [(0.9, 1), (0.9, 2), (0.9, 3), (0.9, 3), (0.9, 50), (0.9, 4), (0.8, 5), (0.8, 6)];
        using var steppedAlong = new ReferenceBackend();
        foreach ((double beta1, long t) in steps)
        {
            using var fresh = new ReferenceBackend();
            Assert.Equal(Step(fresh, beta1, t), Step(steppedAlong, beta1, t));
        }
    }

    // one Nadam step of step number t from the same parameters, gradient and moments; the parameters and moments after it
    private static float[] Step(IBackend backend, double beta1, long t)
    {
        var random = new Random(4);
        const int n = 8;
        using FloatBuffer g = Host.Upload(backend, Host.Random(random, n));
        using FloatBuffer p = Host.Upload(backend, Host.Random(random, n));
        using FloatBuffer s = Host.Upload(backend, [.. Host.Random(random, n, 0.1), .. Host.Random(random, n, 0.01).Select(v => Math.Abs(v))]);
        var step = new OptimizerStep
        {
            Kind = OptimizerKind.Nadam,
            StepNumber = t,
            LearningRate = 0.01,
            Beta1 = beta1,
            Beta2 = 0.999,
            Epsilon = 1e-8,
        };
        backend.OptimizerStep(g.All, step, p.All, s.All);
        return [.. Host.Download(backend, p.All), .. Host.Download(backend, s.All)];
    }
}
