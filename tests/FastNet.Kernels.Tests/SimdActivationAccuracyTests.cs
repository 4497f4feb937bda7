using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The SIMD backend's tanh and sigmoid (its float32 e^x) at every width, against float64 Math.Tanh and Math.Exp, in
/// steps of the float lattice: each value goes through a forward pass as z = 1·x + 0, which is x exactly. The bounds
/// are the error analysis in FloatMath's comments, counted as steps from the correctly rounded value: tanh's
/// polynomial (under 0.1 ulp) plus its evaluation, or 1 − 2/(e^2|z| + 1) with 2/(…) below 0.5, stays within 2; the
/// sigmoid adds to e^x's ulp the roundings of 1 + e^−z and of the quotient, within 3 (the rounding of 1 + e^−z alone
/// costs a step for |z| small). Each call takes 2^14 values as one row of outputs, so the vector loop and the scalar
/// tail both run.
/// </summary>
public class SimdActivationAccuracyTests
{
    private const int Values = 1 << 14;

    // every 613th float (by bit pattern) of each sign from 2^-30 up to the end of each function's interesting range
    public static TheoryData<string, float, int> Ranges => new()
    {
        { "tanh", 12f, 2 },
        // below −87 the sigmoid is subnormal or rounds to 0 when e^−z overflows: a few 1e-39 absolute, not ulps
        { "sigmoid", 87f, 3 },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void TheActivationIsWithinItsBoundOfTheCorrectlyRoundedValue(string activation, float end, int bound)
    {
        Activation kind = activation == "tanh" ? Activation.Tanh : Activation.Sigmoid;
        Func<double, double> exact = activation == "tanh" ? Math.Tanh : z => 1 / (1 + Math.Exp(-z));
        int first = BitConverter.SingleToInt32Bits(MathF.Pow(2, -30)), last = BitConverter.SingleToInt32Bits(end);
        var inputs = new List<float>();
        for (int bits = first; bits < last; bits += 613)
        {
            float x = BitConverter.Int32BitsToSingle(bits);
            inputs.Add(x);
            inputs.Add(-x);
        }
        foreach (VectorWidth width in VectorWidths.Available)
        {
            using var simd = SimdBackend.Create(1, width);
            float[] outputs = Apply(simd, kind, [.. inputs]);
            long worst = 0;
            float worstAt = 0;
            for (int i = 0; i < inputs.Count; i++)
            {
                long steps = LatticeSteps(outputs[i], (float)exact(inputs[i]));
                if (steps > worst)
                {
                    (worst, worstAt) = (steps, inputs[i]);
                }
            }
            Assert.True(worst <= bound,
                $"{width} {activation}({worstAt:R}) is {worst} floats from the correctly rounded one (bound {bound})");
        }
    }

    [Fact]
    public void InfinitiesAndNaNGiveTheLimits()
    {
        float[] special = [float.PositiveInfinity, float.NegativeInfinity, float.NaN, 200f, -200f, 0f];
        foreach (VectorWidth width in VectorWidths.Available)
        {
            using var simd = SimdBackend.Create(1, width);
            Assert.Equal([1f, -1f, float.NaN, 1f, -1f, 0f], Apply(simd, Activation.Tanh, special));
            Assert.Equal([1f, 0f, float.NaN, 1f, 0f, 0.5f], Apply(simd, Activation.Sigmoid, special));
        }
    }

    // f(x) for each x, Values at a time, as one example's layer: A = f(1·W + 0) with the values in W's one row, so the
    // activation runs across whole vectors of outputs and their tail
    private static float[] Apply(IBackend backend, Activation activation, float[] inputs)
    {
        using FloatBuffer one = backend.Allocate(1), w = backend.Allocate(Values), zero = backend.Allocate(Values);
        using FloatBuffer a = backend.Allocate(Values);
        backend.Fill(1, one.All);
        backend.Fill(0, zero.All);
        float[] outputs = new float[inputs.Length];
        for (int start = 0; start < inputs.Length; start += Values)
        {
            int count = Math.Min(Values, inputs.Length - start);
            backend.Upload(inputs.AsSpan(start, count), w.Slice(0, count));
            backend.DenseForward(one.All, w.Slice(0, count), zero.Slice(0, count), 1, 1, count, activation,
                a.Slice(0, count));
            backend.Download(a.Slice(0, count), outputs.AsSpan(start, count));
        }
        return outputs;
    }

    // how many floats lie between got and want (both finite, or NaN only together)
    private static long LatticeSteps(float got, float want)
    {
        if (float.IsNaN(got) || float.IsNaN(want))
        {
            return float.IsNaN(got) && float.IsNaN(want) ? 0 : long.MaxValue;
        }
        return Math.Abs(Ordered(got) - Ordered(want));
    }

    // the float's place in the ordered lattice: negative floats below −0, which sits with +0
    private static long Ordered(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits < 0 ? int.MinValue - (long)bits : bits;
    }
}
