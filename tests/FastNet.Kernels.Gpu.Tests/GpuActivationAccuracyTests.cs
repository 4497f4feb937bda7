using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// Measures each activation of the forward kernel against float64 over x ∈ [−20, 20] (plus points near 0, where
/// tanh switches formulas), through DenseForward with one input and W = 1 so that z = x exactly. On the CPU
/// accelerator the kernels' exp is .NET's MathF.Exp; a CUDA device compiles it differently, so GPU-side figures
/// have to be measured there.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class GpuActivationAccuracyTests(GpuFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void ExpIsAccurateAcrossTheWholeFloatRange()
    {
        // DeviceMath is plain float arithmetic, so the host evaluates exactly what the kernels do.
        double maxUlp = 0;
        for (float x = -110f; x <= 90f; x += 0.00731f)
        {
            double exact = Math.Exp(x);
            float got = DeviceMath.Exp(x);
            Assert.True(Tolerance.Within(got, (float)exact, 1, exact), $"exp({x:R}) = {got:R}, float64 {exact:R}");
            if (exact >= float.MinValue && exact <= float.MaxValue && exact > 1.1754944e-38)
            {
                float rounded = (float)exact;
                maxUlp = Math.Max(maxUlp, Math.Abs(got - exact) / (MathF.BitIncrement(rounded) - rounded));
            }
        }
        Assert.Equal(float.PositiveInfinity, DeviceMath.Exp(89f));
        Assert.Equal(0f, DeviceMath.Exp(-105f));
        Assert.True(float.IsNaN(DeviceMath.Exp(float.NaN)));
        output.WriteLine($"exp: max {maxUlp:F2} ulp over normal results in [-110, 90]");
    }

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    public void ActivationErrorIsWithinTheToleranceRule(Activation activation)
    {
        var points = new List<float>();
        for (int i = -2000; i <= 2000; i++)
        {
            points.Add(i / 100f);
        }
        for (double v = 1e-7; v < 1; v *= 1.05)
        {
            points.Add((float)v);
            points.Add((float)-v);
        }
        points.AddRange([DeviceMath.TanhPolynomialLimit, -DeviceMath.TanhPolynomialLimit,
            MathF.BitDecrement(DeviceMath.TanhPolynomialLimit), MathF.BitIncrement(DeviceMath.TanhPolynomialLimit)]);
        float[] x = [.. points];

        GpuBackend gpu = fixture.Backend;
        using FloatBuffer input = gpu.Allocate(x.Length), weight = gpu.Allocate(1), result = gpu.Allocate(x.Length);
        gpu.Upload(x, input.All);
        gpu.Upload([1f], weight.All);
        gpu.DenseForward(input.All, weight.All, BufferView.Empty, x.Length, 1, 1, activation, result.All);
        float[] a = Harness.Read(gpu, result.All);

        double maxAbsolute = 0, maxRelative = 0, maxUlp = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Reference.ReferenceBackend.Activate(activation, x[i]);
            double error = Math.Abs(a[i] - exact);
            maxAbsolute = Math.Max(maxAbsolute, error);
            if (exact != 0)
            {
                maxRelative = Math.Max(maxRelative, error / Math.Abs(exact));
            }
            float rounded = (float)exact;
            double ulp = MathF.BitIncrement(MathF.Abs(rounded)) - MathF.Abs(rounded);
            maxUlp = Math.Max(maxUlp, error / ulp);
            Assert.True(Tolerance.Within(a[i], rounded, 1, Math.Abs(exact)),
                $"{activation}({x[i]:R}) = {a[i]:R}, float64 gives {exact:R}");
        }
        output.WriteLine($"{activation}: {x.Length} points, max |error| {maxAbsolute:E2}, max relative "
            + $"{maxRelative:E2}, max {maxUlp:F2} ulp");
    }
}
