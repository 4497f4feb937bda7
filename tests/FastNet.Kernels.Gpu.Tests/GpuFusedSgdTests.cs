using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// The per-example fused SGD step (<see cref="IBackend.DenseBackwardSgdStep"/>) gives bit for bit what the GPU backend
/// computes with the composition that defines it: backward pass, then SGD on the weights and on the biases.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class GpuFusedSgdTests(GpuFixture fixture)
{
    public static TheoryData<int, int, int, Activation> Cases()
    {
        var data = new TheoryData<int, int, int, Activation>();
        // the GELUs' fused step takes Z: BackendVerifier's fused-step check covers them
        foreach (Activation activation in Activation.OneOfEachKind.Where(a => !a.NeedsPreActivation))
        {
            foreach ((int batch, int inputs, int outputs) in new[] { (1, 1, 1), (1, 7, 17), (1, 33, 3), (1, 53, 51), (3, 7, 17) })
            {
                data.Add(batch, inputs, outputs, activation);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedStepEqualsItsComposition(int batch, int inputs, int outputs, Activation activation)
    {
        GpuBackend backend = fixture.Backend;
        var random = new Random(batch * 1000 + inputs * 10 + outputs);
        float[] x = Data.Uniform(random, batch * inputs), w = Data.Uniform(random, inputs * outputs);
        float[] b = Data.Uniform(random, outputs), delta = Data.Uniform(random, batch * outputs);
        float[] a = [.. Data.Uniform(random, batch * outputs).Select(v => activation.Kind switch
        {
            ActivationKind.Sigmoid => 0.5f + 0.45f * v,
            ActivationKind.Tanh => 0.9f * v,
            ActivationKind.Relu => Math.Max(v, 0f),
            _ => v,
        })];
        foreach (double weightDecay in new[] { 0, 0.01 })
        {
            foreach ((bool bias, bool withDx) in new[] { (true, true), (false, false), (true, false) })
            {
                double product = 1;
                OptimizerStep step = OptimizerStep.Create(OptimizerKind.Sgd, 0.3, 0, 0, 0, 0, weightDecay, 1, ref product);
                float[][] fused = Run((xv, av, dv, dxv, wv, bv, dwv, dbv) => backend.DenseBackwardSgdStep(xv, av, batch,
                    inputs, outputs, activation, dv, dxv, step, wv, bv, dwv, dbv));
                float[][] composed = Run((xv, av, dv, dxv, wv, bv, dwv, dbv) => ComposedOps.DenseBackwardSgdStep(
                    backend, xv, av, batch, inputs, outputs, activation, dv, dxv, step, wv, bv, dwv, dbv));
                // what the op defines: delta and the gradient scratch may hold anything afterwards
                string[] parts = ["weights", "biases", "dX"];
                for (int p = 0; p < parts.Length; p++)
                {
                    Assert.True(composed[p].Select(BitConverter.SingleToInt32Bits)
                            .SequenceEqual(fused[p].Select(BitConverter.SingleToInt32Bits)),
                        $"λ {weightDecay} bias {bias} dX {withDx}: {parts[p]} differ from the composition");
                }

                float[][] Run(Op op)
                {
                    using FloatBuffer xb = Upload(x), ab = Upload(a), db = Upload(delta), wb = Upload(w), bb = Upload(b);
                    using FloatBuffer dW = backend.Allocate(inputs * outputs), dB = backend.Allocate(outputs);
                    using FloatBuffer dX = backend.Allocate(batch * inputs);
                    op(xb.All, ab.All, db.All, withDx ? dX.All : BufferView.Empty, wb.All,
                        bias ? bb.All : BufferView.Empty, dW.All, bias ? dB.All : BufferView.Empty);
                    return [Download(wb.All), Download(bb.All), withDx ? Download(dX.All) : []];
                }
            }
        }

        FloatBuffer Upload(float[] values)
        {
            FloatBuffer buffer = backend.Allocate(values.Length);
            backend.Upload(values, buffer.All);
            return buffer;
        }

        float[] Download(BufferView view)
        {
            float[] values = new float[view.Length];
            backend.Download(view, values);
            return values;
        }
    }

    private delegate void Op(BufferView x, BufferView a, BufferView delta, BufferView dX, BufferView w, BufferView b,
        BufferView dW, BufferView db);
}
