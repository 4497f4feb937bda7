using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="IBackend.AccumulateScaled"/> adds scale·source to the destination on every backend: after two calls the
/// destination holds y + s₁·x₁ + s₂·x₂, each call within one elementwise op's bound (<see cref="Tolerance"/>) of the
/// exact float64 value from that call's inputs, on awkward lengths; the source is left as it was.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class AccumulateScaledTests
{
    public static TheoryData<string> Candidates => BackendsUnderTest.Candidates;

    [Theory]
    [MemberData(nameof(Candidates))]
    public void AddsTheScaledSourceToTheDestination(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        var random = new Random(23);
        foreach (int length in new[] { 1, 3, 7, 17, 33, 127, 1000 })
        {
            float[] y = Host.Random(random, length), x1 = Host.Random(random, length), x2 = Host.Random(random, length);
            using FloatBuffer destination = backend.Allocate(length), source = backend.Allocate(length);
            backend.Upload(y, destination.All);
            float[] before = y;
            foreach ((float[] x, double scale) in new[] { (x1, 0.3), (x2, 1.0 / 3) })
            {
                backend.Upload(x, source.All);
                backend.AccumulateScaled(source.All, scale, destination.All);
                float[] after = new float[length], kept = new float[length];
                backend.Download(destination.All, after);
                backend.Download(source.All, kept);
                Expect.BitIdentical(x, kept, $"{name} length {length}: source");
                for (int i = 0; i < length; i++)
                {
                    double exact = before[i] + scale * x[i];
                    Assert.True(Tolerance.Within(after[i], exact, 1, Math.Abs(before[i]) + Math.Abs(scale * x[i]) + Math.Abs(exact)),
                        $"{name} length {length} scale {scale:G4}, element {i}: {after[i]:G9}, exact {exact:G9}");
                }
                before = after;
            }
        }
    }
}
