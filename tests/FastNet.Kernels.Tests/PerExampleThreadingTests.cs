using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// Batch 1 on several threads: the threads split a layer's rows by chunks, and the result must be the same bits as on
/// one thread, at every vector width, for the fused backward + SGD sweep and the plain backward pass alike.
/// </summary>
public class PerExampleThreadingTests
{
    public static TheoryData<VectorWidth, int, int> WidthsAndShapes()
    {
        var data = new TheoryData<VectorWidth, int, int>();
        foreach (VectorWidth width in VectorWidths.Available)
        {
            // MNIST's first layer (4 chunks); uneven rows per chunk with a row length no vector divides (2 chunks)
            data.Add(width, 784, 128);
            data.Add(width, 1001, 37);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndShapes))]
    public void StepsOnTwoAndThreeThreadsGiveTheSameBitsAsOnOne(VectorWidth width, int inputs, int outputs)
    {
        Assert.True(SimdBackend.PerExampleRowChunks(inputs, outputs) > 1, "the shape must be split for the test to mean anything");
        float[] one = Steps(width, 1, inputs, outputs);
        Assert.Equal(one, Steps(width, 2, inputs, outputs));
        Assert.Equal(one, Steps(width, 3, inputs, outputs));
    }

    [Theory]
    [InlineData(64, 64, 1)] // 4,096 weights: one chunk
    [InlineData(1, 1 << 20, 1)] // never more chunks than rows
    [InlineData(2, 16384, 2)] // exactly two chunks' worth
    [InlineData(1001, 37, 2)] // 37,037 weights: 2.26 chunks' worth
    [InlineData(784, 128, 4)] // 6.1 chunks' worth, down to a power of two
    [InlineData(3, 1 << 20, 2)] // three rows, down to a power of two
    [InlineData(784, 1024, 16)] // 49 chunks' worth, at most 16
    public void ChunksArePowersOfTwoOfAtLeastTheChunkWeightsAndNoMoreThanTheRows(int inputs, int outputs, int chunks) =>
        Assert.Equal(chunks, SimdBackend.PerExampleRowChunks(inputs, outputs));

    // three examples, each: forward (bias, tanh), loss, the fused backward + SGD step with dX; then one plain backward
    // pass with dW; returns the weights, the biases, every dX, the last dW and the loss sums
    private static float[] Steps(VectorWidth width, int threads, int inputs, int outputs)
    {
        using SimdBackend backend = SimdBackend.Create(threads, width);
        var random = new Random(17);
        using FloatBuffer x = Host.Upload(backend, Host.Random(random, 3 * inputs));
        using FloatBuffer t = Host.Upload(backend, Host.Random(random, 3 * outputs));
        using FloatBuffer w = Host.Upload(backend, Host.Random(random, inputs * outputs, 0.05));
        using FloatBuffer b = Host.Upload(backend, Host.Random(random, outputs, 0.05));
        using FloatBuffer a = backend.Allocate(outputs), d = backend.Allocate(outputs), db = backend.Allocate(outputs);
        using FloatBuffer dW = backend.Allocate(inputs * outputs), dX = backend.Allocate(3 * inputs);
        using FloatBuffer m = backend.Allocate(2);
        double product = 1;
        OptimizerStep sgd = OptimizerStep.Create(OptimizerKind.Sgd, 0.05, 0, 0.9, 0.999, 1e-8, 1e-4, 1, ref product);
        for (int example = 0; example < 3; example++)
        {
            BufferView xe = x.Slice(example * inputs, inputs), te = t.Slice(example * outputs, outputs);
            BufferView dXe = dX.Slice(example * inputs, inputs);
            backend.DenseForward(xe, w.All, b.All, 1, inputs, outputs, Activation.Tanh, a.All);
            backend.Loss(a.All, te, 1, outputs, LossKind.MeanSquaredError, d.All, m.All);
            backend.DenseBackwardSgdStep(xe, a.All, 1, inputs, outputs, Activation.Tanh, d.All, dXe, sgd, w.All, b.All,
                dW.All, db.All);
        }
        backend.DenseForward(x.Slice(0, inputs), w.All, b.All, 1, inputs, outputs, Activation.Tanh, a.All);
        backend.Loss(a.All, t.Slice(0, outputs), 1, outputs, LossKind.MeanSquaredError, d.All, m.All);
        backend.DenseBackward(x.Slice(0, inputs), w.All, a.All, 1, inputs, outputs, Activation.Tanh, d.All, dW.All,
            db.All, dX.Slice(0, inputs));
        return [.. Host.Download(backend, w.All), .. Host.Download(backend, b.All), .. Host.Download(backend, dX.All),
            .. Host.Download(backend, dW.All), .. Host.Download(backend, m.All)];
    }
}
