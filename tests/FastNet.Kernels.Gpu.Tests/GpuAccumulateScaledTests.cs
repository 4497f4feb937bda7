using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary><see cref="IBackend.AccumulateScaled"/> on the GPU kernels: destination + scale·source within one
/// elementwise op's bound (<see cref="Tolerance"/>) of the exact float64 value, on awkward lengths.</summary>
[Collection(GpuCollection.Name)]
public sealed class GpuAccumulateScaledTests(GpuFixture fixture)
{
    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1000)]
    public void AddsTheScaledSourceToTheDestination(int length)
    {
        IBackend backend = fixture.Backend;
        var random = new Random(length);
        float[] y = Data.Uniform(random, length), x = Data.Uniform(random, length);
        using FloatBuffer destination = backend.Allocate(length), source = backend.Allocate(length);
        backend.Upload(y, destination.All);
        backend.Upload(x, source.All);
        const double scale = 0.3;
        backend.AccumulateScaled(source.All, scale, destination.All);
        float[] after = new float[length];
        backend.Download(destination.All, after);
        for (int i = 0; i < length; i++)
        {
            double exact = y[i] + scale * x[i];
            Assert.True(Tolerance.Within(after[i], exact, 1, Math.Abs(y[i]) + Math.Abs(scale * x[i]) + Math.Abs(exact)),
                $"length {length}, element {i}: {after[i]:G9}, exact {exact:G9}");
        }
    }
}
