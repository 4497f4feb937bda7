using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="IBackend.DenseBackwardSgdStepThenForward"/> on every backend gives bit for bit what the same backend
/// computes with the composition that defines it (<see cref="ComposedOps.DenseBackwardSgdStepThenForward"/>: the earlier
/// example's fused backward step, then the next example's forward pass), on the per-example shapes, every activation,
/// with and without weight decay, with trained, fixed and absent biases.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class FusedSgdStepThenForwardTests
{
    public static TheoryData<string> Candidates => BackendsUnderTest.Candidates;

    private enum Biases
    {
        Trained,
        Fixed,
        Absent,
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void FusedStepThenForwardEqualsItsCompositionBitForBit(string name)
    {
        BackendUnderTest bound = BackendsUnderTest.Get(name);
        IBackend backend = bound.Backend;
        var random = new Random(23);
        foreach ((int batch, int inputs, int outputs) in bound.Sizes.FusedSteps)
        {
            if (batch != 1)
            {
                continue;
            }
            foreach (Activation activation in Activation.OneOfEachKind)
            {
                foreach (double weightDecay in new[] { 0, 0.01 })
                {
                    foreach (Biases biases in Enum.GetValues<Biases>())
                    {
                        var layer = new Layer(random, inputs, outputs, activation);
                        double product = 1;
                        OptimizerStep step = OptimizerStep.Create(OptimizerKind.Sgd, 0.3, 0, 0, 0, 0, weightDecay, 1,
                            ref product);
                        string what = $"{name} {inputs}→{outputs} {activation} λ {weightDecay} biases {biases}";

                        float[][] fused = layer.Run(backend, biases, (xp, d, dW, db, x, w, b, a, z) =>
                            backend.DenseBackwardSgdStepThenForward(xp, d, step, dW, db, x, w, b, inputs, outputs,
                                activation, a, z));
                        float[][] composed = layer.Run(backend, biases, (xp, d, dW, db, x, w, b, a, z) =>
                            ComposedOps.DenseBackwardSgdStepThenForward(backend, xp, d, step, dW, db, x, w, b, inputs,
                                outputs, activation, a, z));

                        string[] parts = ["weights", "biases", "A", "Z"];
                        for (int p = 0; p < parts.Length; p++)
                        {
                            Expect.BitIdentical(composed[p], fused[p], $"{what}: {parts[p]}");
                        }
                    }
                }
            }
        }
    }

    private delegate void Op(BufferView xPrevious, BufferView delta, BufferView dW, BufferView db, BufferView x,
        BufferView w, BufferView b, BufferView a, BufferView z);

    /// <summary>One layer's operands as host arrays: fresh backend buffers are made from them for every run.</summary>
    private sealed class Layer(Random random, int inputs, int outputs, Activation activation)
    {
        public float[] PreviousX { get; } = Host.Random(random, inputs);
        public float[] X { get; } = Host.Random(random, inputs);
        public float[] W { get; } = Host.Random(random, inputs * outputs, 0.5);
        public float[] B { get; } = Host.Random(random, outputs, 0.5);
        public float[] Delta { get; } = Host.Random(random, outputs);

        // the earlier example's Z, and its A = f(Z), so f'(A) and f'(Z) are meaningful
        public float[] Z { get; } = Host.Random(random, outputs);

        // weights, biases, A and Z after the op
        public float[][] Run(IBackend backend, Biases biases, Op op)
        {
            using FloatBuffer xp = Host.Upload(backend, PreviousX), x = Host.Upload(backend, X);
            using FloatBuffer z = Host.Upload(backend, Z), a = backend.Allocate(outputs), d = Host.Upload(backend, Delta);
            using FloatBuffer w = Host.Upload(backend, W), b = Host.Upload(backend, B);
            using FloatBuffer dW = backend.Allocate(inputs * outputs), db = backend.Allocate(outputs);
            BufferView zView = activation.NeedsPreActivation ? z.All : BufferView.Empty;
            using (FloatBuffer zInput = Host.Upload(backend, Z), eye = Identity(backend, outputs))
            {
                // A of the earlier example from its Z
                backend.DenseForward(zInput.All, eye.All, BufferView.Empty, 1, outputs, outputs, activation, a.All,
                    zView);
            }
            op(xp.All, d.All, dW.All, biases == Biases.Trained ? db.All : BufferView.Empty, x.All, w.All,
                biases == Biases.Absent ? BufferView.Empty : b.All, a.All, zView);
            return [Host.Download(backend, w.All), Host.Download(backend, b.All), Host.Download(backend, a.All),
                activation.NeedsPreActivation ? Host.Download(backend, z.All) : []];
        }

        private static FloatBuffer Identity(IBackend backend, int n)
        {
            float[] eye = new float[n * n];
            for (int i = 0; i < n; i++)
            {
                eye[(i * n) + i] = 1;
            }
            return Host.Upload(backend, eye);
        }
    }
}
