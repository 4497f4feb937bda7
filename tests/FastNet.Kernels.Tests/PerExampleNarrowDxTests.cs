using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// One example's dX through a layer narrower than one vector (a 10-wide output layer): each dX[i] = Σ_j W[i, j]·dz[j]
/// is one scalar chain in column order, a product then a sum per step from zero, as a row's tail is summed; the
/// backward pass interleaves several rows' chains, which must not change a bit of any. Checked against that chain
/// written out, with and without the fused SGD step (which reads the W from before its update), on one thread and
/// two, with row counts on both sides of each interleaved block.
/// </summary>
public class PerExampleNarrowDxTests
{
    public static TheoryData<int, int> InputsAndThreads => new()
    {
        { 1, 1 },
        { 7, 1 },
        { 8, 2 },
        { 13, 1 },
        { 17, 2 },
        { 128, 1 },
        { 130, 2 },
    };

    [Theory]
    [MemberData(nameof(InputsAndThreads))]
    public void EachRowsDotProductIsItsOwnScalarChain(int inputs, int threads)
    {
        var random = new Random(inputs);
        foreach (VectorWidth width in VectorWidths.Available)
        {
            using var simd = SimdBackend.Create(threads, width);
            for (int outputs = 1; outputs < (int)width / 32; outputs++)
            {
                float[] x = Host.Random(random, inputs), w = Host.Random(random, inputs * outputs);
                float[] dz = Host.Random(random, outputs);
                float[] expected = Model(w, dz, inputs, outputs);
                foreach (bool fused in new[] { false, true })
                {
                    float[] dx = Dx(simd, x, w, dz, inputs, outputs, fused);
                    int differs = Enumerable.Range(0, inputs).FirstOrDefault(
                        i => BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(dx[i]), -1);
                    Assert.True(differs < 0, $"{width}, {inputs} × {outputs}, fused step {fused}: dX[{differs}] is "
                        + $"{(differs < 0 ? 0 : dx[differs]):R}, expected {(differs < 0 ? 0 : expected[differs]):R}");
                }
            }
        }
    }

    // 0 + (w[i, 0]·dz[0] + 0 …): a product, then a sum, per column in order (no fused multiply-add)
    private static float[] Model(float[] w, float[] dz, int inputs, int outputs)
    {
        float[] dx = new float[inputs];
        for (int i = 0; i < inputs; i++)
        {
            float sum = 0;
            for (int j = 0; j < outputs; j++)
            {
                float product = w[(i * outputs) + j] * dz[j];
                sum = product + sum;
            }
            dx[i] = 0f + sum;
        }
        return dx;
    }

    // the identity's backward pass for one example, so dZ is ∂L/∂A as given
    private static float[] Dx(SimdBackend simd, float[] x, float[] w, float[] dz, int inputs, int outputs, bool fused)
    {
        using FloatBuffer xs = Host.Upload(simd, x), ws = Host.Upload(simd, w), d = Host.Upload(simd, dz);
        using FloatBuffer a = simd.Allocate(outputs), dw = simd.Allocate(inputs * outputs), dx = simd.Allocate(inputs);
        if (fused)
        {
            var step = new OptimizerStep { Kind = OptimizerKind.Sgd, LearningRate = 0.1 };
            simd.DenseBackwardSgdStep(xs.All, a.All, 1, inputs, outputs, Activation.Identity, d.All, dx.All, step,
                ws.All, BufferView.Empty, dw.All, BufferView.Empty);
        }
        else
        {
            simd.DenseBackward(xs.All, ws.All, a.All, 1, inputs, outputs, Activation.Identity, d.All, dw.All,
                BufferView.Empty, dx.All);
        }
        return Host.Download(simd, dx.All);
    }
}
