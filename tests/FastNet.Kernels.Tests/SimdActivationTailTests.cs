using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// A forward pass's bias and activation take a row's last outputs past its whole vectors (all ten of a 10-wide output
/// layer at 512 bits) as a tail: one masked vector where the width masks lanes, else one output at a time. Either way
/// each output must get the bits it gets as a lane of a whole vector, so a layer's width never changes its values.
/// Each value goes through one example's layer as z = 1·w + b, so z is w + b exactly as every path rounds it.
/// </summary>
public class SimdActivationTailTests
{
    // a row of whole vectors at every width
    private const int Wide = 64;

    public static TheoryData<string> Activations => new() { "identity", "sigmoid", "tanh", "relu" };

    [Theory]
    [MemberData(nameof(Activations))]
    public void TheTailOfARowGetsTheBitsOfAWholeVectorsLanes(string name)
    {
        Activation activation = name switch
        {
            "identity" => Activation.Identity,
            "sigmoid" => Activation.Sigmoid,
            "tanh" => Activation.Tanh,
            _ => Activation.Relu,
        };
        var random = new Random(name.Length);
        foreach (VectorWidth width in VectorWidths.Available)
        {
            using var simd = SimdBackend.Create(1, width);
            for (int n = 1; n < Wide; n++)
            {
                for (int repeat = 0; repeat < 4; repeat++)
                {
                    float[] w = Values(random, Wide), b = Values(random, Wide);
                    float[] wide = Forward(simd, activation, w, b);
                    float[] narrow = Forward(simd, activation, w[..n], b[..n]);
                    Assert.True(wide[..n].SequenceEqual(narrow), $"{width}, {n} outputs: {string.Join(", ",
                        narrow.Select((v, i) => $"{w[i]:R} + {b[i]:R} -> {v:R} (lane {wide[i]:R})"))}");
                }
            }
        }
    }

    // spread over the activations' whole range, with the values that take their special branches
    private static float[] Values(Random random, int count)
    {
        float[] special = [0f, -0f, 1e-30f, -1e-30f, 100f, -100f, float.PositiveInfinity, float.NegativeInfinity];
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.Next(8) == 0 ? special[random.Next(special.Length)]
                : (float)((random.NextDouble() - 0.5) * 40);
        }
        return values;
    }

    // A = f(1·W + b) for one example with a single input, W's one row holding the values
    private static float[] Forward(IBackend backend, Activation activation, float[] w, float[] b)
    {
        using FloatBuffer one = backend.Allocate(1), ws = Host.Upload(backend, w), bs = Host.Upload(backend, b);
        using FloatBuffer a = backend.Allocate(w.Length);
        backend.Fill(1, one.All);
        backend.DenseForward(one.All, ws.All, bs.All, 1, 1, w.Length, activation, a.All);
        return Host.Download(backend, a.All);
    }
}
