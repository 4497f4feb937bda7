using FastNet.Kernels.Tests;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// Measures each activation of the forward kernel against float64 over x ∈ [−20, 20] (plus points near 0, where
/// tanh switches formulas), through DenseForward with W the identity so that z = x exactly; and exp and log
/// themselves over their whole range. The arithmetic is plain float32 on every accelerator, but a CUDA device may
/// contract a multiply and an add into an FMA, so GPU-side figures have to be measured there.
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
            if (!Tolerance.Within(got, (float)exact, 1, exact))
            {
                Assert.Fail($"exp({x:R}) = {got:R}, float64 {exact:R}");
            }
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

    [Fact]
    public void LogIsWithinAnUlpAcrossTheWholeFloatRange()
    {
        // subnormals to the largest float geometrically, and the neighbourhood of 1 where ln x is smallest
        var points = new List<float>();
        for (double x = 1e-45; x < 3.4e38; x *= 1.0007)
        {
            points.Add((float)x);
        }
        for (int k = -3000; k <= 3000; k++)
        {
            points.Add(1f + k * 1.1920929e-7f / 2);
        }
        points.AddRange([float.Epsilon, 1.17549435e-38f, 0.70710677f, 0.7071068f, 1.4142135f, 1.4142137f, 2f, 0.5f,
            float.MaxValue]);
        double maxUlp = 0;
        foreach (float x in points)
        {
            double exact = Math.Log(x);
            float got = DeviceMath.Log(x), rounded = (float)exact;
            double ulp = Math.Abs(rounded) < float.Epsilon ? float.Epsilon : MathF.BitIncrement(Math.Abs(rounded)) - Math.Abs(rounded);
            double error = Math.Abs(got - exact) / ulp;
            if (!(error <= 1))
            {
                Assert.Fail($"log({x:R}) = {got:R}, float64 {exact:R}: {error:F2} ulp");
            }
            maxUlp = Math.Max(maxUlp, error);
        }
        Assert.Equal(0f, DeviceMath.Log(1f));
        Assert.Equal(float.NegativeInfinity, DeviceMath.Log(0f));
        Assert.Equal(float.PositiveInfinity, DeviceMath.Log(float.PositiveInfinity));
        Assert.True(float.IsNaN(DeviceMath.Log(-1f)) && float.IsNaN(DeviceMath.Log(float.NaN)));
        output.WriteLine($"log: max {maxUlp:F2} ulp over {points.Count} points from the smallest subnormal to the largest float");
    }

    [Fact]
    public void RoundedProductIsTheFloatProductBitForBit()
    {
        // The fused per-example step relies on it: random bit patterns cover subnormal, overflowing, signed-zero,
        // infinite and NaN products.
        var random = new Random(20261123);
        for (int n = 0; n < 2_000_000; n++)
        {
            float a = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
            float b = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
            float expected = a * b, got = DeviceMath.RoundedProduct(a, b);
            if (BitConverter.SingleToInt32Bits(got) != BitConverter.SingleToInt32Bits(expected)
                && !(float.IsNaN(got) && float.IsNaN(expected)))
            {
                Assert.Fail($"{a:R} · {b:R}: {got:R}, float {expected:R}");
            }
        }
        Assert.Equal(float.Epsilon, DeviceMath.RoundedProduct(float.Epsilon, 1f));
        Assert.Equal(float.PositiveInfinity, DeviceMath.RoundedProduct(float.MaxValue, 2f));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f),
            BitConverter.SingleToInt32Bits(DeviceMath.RoundedProduct(-0f, 3f)));
    }

    [Theory]
    [InlineData(ActivationKind.Identity)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.LeakyRelu)]
    [InlineData(ActivationKind.Gelu)]
    [InlineData(ActivationKind.GeluTanh)]
    public void ActivationErrorIsWithinTheToleranceRule(ActivationKind kind)
    {
        var activation = new Activation(kind, kind == ActivationKind.LeakyRelu ? 0.01f : 0);
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
        // Width points per row and W the identity: each z is one x times 1 plus zeros, exactly x, and the rows fit in
        // a few tiles (one input per row took a group per 64 points, each emulated on the CPU accelerator).
        const int Width = 64;
        int rows = (points.Count + Width - 1) / Width;
        float[] x = new float[rows * Width];
        points.CopyTo(x);
        float[] identity = new float[Width * Width];
        for (int i = 0; i < Width; i++)
        {
            identity[i * Width + i] = 1f;
        }

        GpuBackend gpu = fixture.Backend;
        using FloatBuffer input = gpu.Allocate(x.Length), weight = gpu.Allocate(identity.Length);
        using FloatBuffer result = gpu.Allocate(x.Length);
        using FloatBuffer pre = gpu.Allocate(activation.NeedsPreActivation ? x.Length : 0);
        gpu.Upload(x, input.All);
        gpu.Upload(identity, weight.All);
        gpu.DenseForward(input.All, weight.All, BufferView.Empty, rows, Width, Width, activation, result.All, pre.All);
        float[] a = Host.Download(gpu, result.All);

        double maxAbsolute = 0, maxRelative = 0, maxUlp = 0;
        for (int i = 0; i < points.Count; i++)
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
            // the GELUs' error is relative to the dense pass's terms, |z|·MaxSlope here, not only to |GELU(z)|, which
            // the negative tail makes tiny (Tolerance.cs)
            double terms = activation.NeedsPreActivation ? activation.MaxSlope * Math.Abs(x[i]) : 0;
            if (!Tolerance.Within(a[i], rounded, 1, Math.Abs(exact) + terms))
            {
                Assert.Fail($"{activation}({x[i]:R}) = {a[i]:R}, float64 gives {exact:R}");
            }
        }
        output.WriteLine($"{activation}: {points.Count} points, max |error| {maxAbsolute:E2}, max relative "
            + $"{maxRelative:E2}, max {maxUlp:F2} ulp");
    }
}
