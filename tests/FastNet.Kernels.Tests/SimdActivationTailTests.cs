using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The activation ops take a row's or a buffer's last values past its whole vectors (all ten of a 10-wide output layer
/// at 512 bits) as a tail: one vector, masked where the width allows, else through a padded copy. Each value must get
/// the bits it gets as a lane of a whole vector, forward (f) and backward (f'), so a layer's width never changes its
/// values; the scalar path, whose multiply-adds do not fuse, did not give them. Each value goes through one example's
/// layer with a single input of 1: z = 1·w + b, which is w + b exactly as every path rounds it, and dW = 1·dZ.
/// </summary>
public class SimdActivationTailTests
{
    // a row of whole vectors at every width
    private const int Wide = 64;

    public static TheoryData<string> Activations =>
        new() { "identity", "sigmoid", "tanh", "relu", "leaky-relu", "gelu", "gelu-tanh" };

    [Theory]
    [MemberData(nameof(Activations))]
    public void TheTailOfARowGetsTheBitsOfAWholeVectorsLanes(string name)
    {
        Activation activation = name switch
        {
            "identity" => Activation.Identity,
            "sigmoid" => Activation.Sigmoid,
            "tanh" => Activation.Tanh,
            "relu" => Activation.Relu,
            "leaky-relu" => Activation.LeakyRelu(0.01f),
            "gelu" => Activation.Gelu,
            _ => Activation.GeluTanh,
        };
        var random = new Random(name.Length);
        foreach (VectorWidth width in VectorWidths.Available)
        {
            using var simd = SimdBackend.Create(1, width);
            for (int n = 1; n < Wide; n++)
            {
                for (int repeat = 0; repeat < 4; repeat++)
                {
                    float[] w = Values(random, Wide), b = Values(random, Wide), up = Values(random, Wide);
                    (float[] wideA, float[] wideDz) = Layer(simd, activation, w, b, up);
                    (float[] a, float[] dz) = Layer(simd, activation, w[..n], b[..n], up[..n]);
                    Assert.True(wideA[..n].SequenceEqual(a), $"{width}, {n} outputs, f: {Differences(wideA, a)}");
                    Assert.True(wideDz[..n].SequenceEqual(dz), $"{width}, {n} outputs, f': {Differences(wideDz, dz)}");
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

    // one example with a single input of 1: A = f(1·W + b), then dZ = up ⊙ f' (up is ∂L/∂A), read back as dW
    private static (float[] A, float[] DZ) Layer(IBackend backend, Activation activation, float[] w, float[] b,
        float[] up)
    {
        int n = w.Length;
        using FloatBuffer one = backend.Allocate(1), ws = Host.Upload(backend, w), bs = Host.Upload(backend, b);
        using FloatBuffer a = backend.Allocate(n), z = backend.Allocate(n), delta = Host.Upload(backend, up);
        using FloatBuffer dw = backend.Allocate(n), db = backend.Allocate(n);
        BufferView stored = activation.NeedsPreActivation ? z.All : BufferView.Empty;
        backend.Fill(1, one.All);
        backend.DenseForward(one.All, ws.All, bs.All, 1, 1, n, activation, a.All, stored);
        backend.DenseBackward(one.All, ws.All, a.All, 1, 1, n, activation, delta.All, dw.All, db.All,
            BufferView.Empty, stored);
        return (Host.Download(backend, a.All), Host.Download(backend, dw.All));
    }

    private static string Differences(float[] wide, float[] narrow) => string.Join(", ", narrow
        .Select((v, i) => (v, i)).Where(p => !p.v.Equals(wide[p.i]))
        .Select(p => $"[{p.i}] {p.v:R} (lane {wide[p.i]:R})"));
}
