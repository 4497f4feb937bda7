using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="IBackend.SgdStepThenDenseForward"/> on every CPU backend gives bit for bit what the same backend computes
/// with the composition that defines it (<see cref="ComposedOps.SgdStepThenDenseForward"/>: the weights' SGD step, then
/// the forward pass), with every activation, with and without weight decay and biases. The shapes take each way the
/// SIMD GEMM can go: the step taken inside the GEMM by one thread, by two (columns split) and over several k-blocks, in
/// a pass of its own before a block's first tile or, where that tile is a 12-row one, by the tile's kernel as it reads
/// W (once per k-block of W's rows, not again in the next block of A's rows: 130 rows are 96 and 34); and the step
/// taken first because the GEMM packs W (rows 512 apart, many rows), splits its rows between threads, has a partial
/// or a single panel, or is one row.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class SgdStepThenDenseForwardTests
{
    public static TheoryData<string> Candidates => BackendsUnderTest.Candidates;

    private static readonly (int Batch, int Inputs, int Outputs)[] Shapes =
    [
        (64, 784, 256), (24, 300, 128), (20, 100, 64), (2, 3000, 64), (64, 100, 1024),
        (600, 40, 512), (300, 33, 96), (30, 50, 40), (5, 7, 32), (1, 30, 64), (130, 60, 64), (24, 2100, 64),
    ];

    [Theory]
    [MemberData(nameof(Candidates))]
    public void FusedStepThenForwardEqualsItsCompositionBitForBit(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        var random = new Random(29);
        foreach ((int batch, int inputs, int outputs) in Shapes)
        {
            foreach (Activation activation in Activation.OneOfEachKind)
            {
                // every activation with a decayed step and biases, and with an undecayed one and none
                foreach ((double weightDecay, bool biases) in new[] { (0.01, true), (0.0, false) })
                {
                    var layer = new Layer(random, batch, inputs, outputs);
                    double product = 1;
                    OptimizerStep step = OptimizerStep.Create(OptimizerKind.Sgd, 0.3, 0, 0, 0, 0, weightDecay, 1,
                        ref product);
                    string what = $"{name} {batch}×{inputs}→{outputs} {activation} λ {weightDecay} biases {biases}";

                    float[][] fused = layer.Run(backend, biases, activation, (dW, x, w, b, a, z) =>
                        backend.SgdStepThenDenseForward(dW, step, x, w, b, batch, inputs, outputs, activation, a, z));
                    float[][] composed = layer.Run(backend, biases, activation, (dW, x, w, b, a, z) =>
                        ComposedOps.SgdStepThenDenseForward(backend, dW, step, x, w, b, batch, inputs, outputs,
                            activation, a, z));

                    Assert.NotEqual(layer.W, composed[0]);
                    string[] parts = ["weights", "A", "Z"];
                    for (int p = 0; p < parts.Length; p++)
                    {
                        Expect.BitIdentical(composed[p], fused[p], $"{what}: {parts[p]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void OnlyPlainSgdIsTaken()
    {
        IBackend backend = BackendsUnderTest.Get("simd").Backend;
        using FloatBuffer dW = backend.Allocate(6), x = backend.Allocate(6), w = backend.Allocate(6);
        using FloatBuffer a = backend.Allocate(6);
        double product = 1;
        OptimizerStep momentum = OptimizerStep.Create(OptimizerKind.Momentum, 0.3, 0.9, 0, 0, 0, 0, 1, ref product);
        var error = Assert.Throws<ArgumentException>(() => backend.SgdStepThenDenseForward(dW.All, momentum, x.All,
            w.All, BufferView.Empty, 2, 3, 2, Activation.Identity, a.All));
        Assert.Contains("plain SGD", error.Message, StringComparison.Ordinal);
    }

    private delegate void Op(BufferView dW, BufferView x, BufferView w, BufferView b, BufferView a, BufferView z);

    /// <summary>One layer's operands as host arrays: fresh backend buffers are made from them for every run.</summary>
    private sealed class Layer(Random random, int batch, int inputs, int outputs)
    {
        public float[] X { get; } = Host.Random(random, batch * inputs);
        public float[] W { get; } = Host.Random(random, inputs * outputs, 0.5);
        public float[] DW { get; } = Host.Random(random, inputs * outputs);
        public float[] B { get; } = Host.Random(random, outputs, 0.5);

        // weights, A and Z after the op
        public float[][] Run(IBackend backend, bool biases, Activation activation, Op op)
        {
            using FloatBuffer x = Host.Upload(backend, X), w = Host.Upload(backend, W), dW = Host.Upload(backend, DW);
            using FloatBuffer b = Host.Upload(backend, B), a = backend.Allocate(batch * outputs);
            using FloatBuffer z = backend.Allocate(batch * outputs);
            BufferView zView = activation.NeedsPreActivation ? z.All : BufferView.Empty;
            op(dW.All, x.All, w.All, biases ? b.All : BufferView.Empty, a.All, zView);
            return [Host.Download(backend, w.All), Host.Download(backend, a.All),
                activation.NeedsPreActivation ? Host.Download(backend, z.All) : []];
        }
    }
}
