using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="IBackend.DenseBackwardSgdStep"/> on every backend gives bit for bit what the same backend computes with
/// the composition that defines it (<see cref="ComposedOps.DenseBackwardSgdStep"/>: backward pass, then SGD on the
/// weights and on the biases), at batch 1 and above (the SIMD backend fuses one example, and a small batch through a
/// large layer), on awkward shapes, with and without weight decay, biases and dX.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class FusedSgdStepTests
{
    public static TheoryData<string> Candidates => BackendsUnderTest.Candidates;

    [Theory]
    [MemberData(nameof(Candidates))]
    public void FusedStepEqualsItsCompositionBitForBit(string name)
    {
        BackendUnderTest bound = BackendsUnderTest.Get(name);
        IBackend backend = bound.Backend;
        var random = new Random(17);
        foreach ((int batch, int inputs, int outputs) in bound.Sizes.FusedSteps)
        {
            // the GELUs' fused step takes Z: BackendVerifier's fused-step check covers them
            Activation[] activations = [.. Activation.OneOfEachKind.Where(a => !a.NeedsPreActivation)];
            for (int kind = 0; kind < activations.Length; kind++)
            {
                Activation activation = activations[kind];
                foreach (double weightDecay in new[] { 0, 0.01 })
                {
                    // pairwise: with and without bias alternate over the activations, so each meets both decays
                    bool[] biases = !bound.Sizes.FusedStepOptionsPairwise ? [true, false]
                        : [(kind + (weightDecay == 0 ? 0 : 1)) % 2 == 0];
                    foreach (bool withBias in biases)
                    {
                        bool withDx = inputs % 2 == 1 || !withBias;
                        var layer = new Layer(random, batch, inputs, outputs, activation);
                        double product = 1;
                        OptimizerStep step = OptimizerStep.Create(OptimizerKind.Sgd, 0.3, 0, 0, 0, 0, weightDecay, 1,
                            ref product);
                        string what = $"{name} batch {batch} {inputs}→{outputs} {activation} λ {weightDecay} "
                            + $"bias {withBias} dX {withDx}";

                        float[][] fused = layer.Run(backend, withBias, withDx, (x, a, d, dX, w, b, dW, db) =>
                            backend.DenseBackwardSgdStep(x, a, batch, inputs, outputs, activation, d, dX, step, w, b,
                                dW, db));
                        float[][] composed = layer.Run(backend, withBias, withDx, (x, a, d, dX, w, b, dW, db) =>
                            ComposedOps.DenseBackwardSgdStep(backend, x, a, batch, inputs, outputs, activation, d, dX,
                                step, w, b, dW, db));

                        // what the op defines: delta and the gradient scratch may hold anything afterwards
                        string[] parts = ["weights", "biases", "dX"];
                        for (int p = 0; p < parts.Length; p++)
                        {
                            Expect.BitIdentical(composed[p], fused[p], $"{what}: {parts[p]}");
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void OtherRulesAndMismatchedBiasOperandsAreRejected(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        var layer = new Layer(new Random(3), 1, 4, 3, Activation.Tanh);
        double product = 1;
        OptimizerStep momentum = OptimizerStep.Create(OptimizerKind.Momentum, 0.1, 0.9, 0, 0, 0, 0, 1, ref product);
        OptimizerStep sgd = OptimizerStep.Create(OptimizerKind.Sgd, 0.1, 0, 0, 0, 0, 0, 1, ref product);
        var rule = Assert.Throws<ArgumentException>(() => layer.Run(backend, true, false,
            (x, a, d, dX, w, b, dW, db) => backend.DenseBackwardSgdStep(x, a, 1, 4, 3, Activation.Tanh, d, dX,
                momentum, w, b, dW, db)));
        Assert.Contains("Momentum", rule.Message, StringComparison.Ordinal);
        var bias = Assert.Throws<ArgumentException>(() => layer.Run(backend, true, false,
            (x, a, d, dX, w, b, dW, db) => backend.DenseBackwardSgdStep(x, a, 1, 4, 3, Activation.Tanh, d, dX,
                sgd, w, b, dW, BufferView.Empty)));
        Assert.Contains("db", bias.Message, StringComparison.Ordinal);
    }

    private delegate void Op(BufferView x, BufferView a, BufferView delta, BufferView dX, BufferView w, BufferView b,
        BufferView dW, BufferView db);

    /// <summary>One layer's operands as host arrays: fresh backend buffers are made from them for every run.</summary>
    private sealed class Layer(Random random, int batch, int inputs, int outputs, Activation activation)
    {
        public float[] X { get; } = Host.Random(random, batch * inputs);
        public float[] W { get; } = Host.Random(random, inputs * outputs, 0.5);
        public float[] B { get; } = Host.Random(random, outputs, 0.5);
        public float[] Delta { get; } = Host.Random(random, batch * outputs);

        // outputs the activation can produce, so f'(A) is meaningful
        public float[] A { get; } = [.. Host.Random(random, batch * outputs).Select(v => activation.Kind switch
        {
            ActivationKind.Sigmoid => 0.5f + 0.45f * v,
            ActivationKind.Tanh => 0.9f * v,
            ActivationKind.Relu => Math.Max(v, 0),
            _ => v,
        })];

        // weights, biases and dX after the op
        public float[][] Run(IBackend backend, bool withBias, bool withDx, Op op)
        {
            using FloatBuffer x = Host.Upload(backend, X), a = Host.Upload(backend, A), d = Host.Upload(backend, Delta);
            using FloatBuffer w = Host.Upload(backend, W), b = Host.Upload(backend, B);
            using FloatBuffer dW = backend.Allocate(inputs * outputs), db = backend.Allocate(outputs);
            using FloatBuffer dX = backend.Allocate(batch * inputs);
            op(x.All, a.All, d.All, withDx ? dX.All : BufferView.Empty, w.All, withBias ? b.All : BufferView.Empty,
                dW.All, withBias ? db.All : BufferView.Empty);
            return [Host.Download(backend, w.All), Host.Download(backend, b.All),
                withDx ? Host.Download(backend, dX.All) : []];
        }
    }
}
