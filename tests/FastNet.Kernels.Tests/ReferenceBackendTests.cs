using FastNet.Kernels.Reference;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>The reference transcribes the formulas; these check it on values worked by hand.</summary>
public class ReferenceBackendTests
{
    [Fact]
    public void DenseForwardComputesSigmoidOfWeightedSumPlusBias()
    {
        using var backend = new ReferenceBackend();
        // x = (0.1, 0.5); W[i, j] from input i to unit j; b = 0.25 for both units (seed 002's hidden layer)
        using FloatBuffer x = Upload(backend, [0.1f, 0.5f]);
        using FloatBuffer w = Upload(backend, [0.1f, 0.2f, 0.3f, 0.4f]);
        using FloatBuffer b = Upload(backend, [0.25f, 0.25f]);
        using FloatBuffer a = backend.Allocate(2);

        backend.DenseForward(x.All, w.All, b.All, 1, 2, 2, Activation.Sigmoid, a.All);

        float[] result = new float[2];
        backend.Download(a.All, result);
        Assert.Equal(1 / (1 + Math.Exp(-0.41)), result[0], 6);
        Assert.Equal(1 / (1 + Math.Exp(-0.47)), result[1], 6);
    }

    [Fact]
    public void DenseBackwardOverwritesDeltaWithDzAndComputesAllGradients()
    {
        using var backend = new ReferenceBackend();
        // batch 2, 1 input, 1 output, identity: dZ = dA; dW = Σ x·dZ; db = Σ dZ; dX = dZ·w
        using FloatBuffer x = Upload(backend, [2f, 3f]);
        using FloatBuffer w = Upload(backend, [0.5f]);
        using FloatBuffer a = Upload(backend, [1f, 1.5f]);
        using FloatBuffer delta = Upload(backend, [0.25f, -1f]);
        using FloatBuffer dW = backend.Allocate(1), db = backend.Allocate(1), dX = backend.Allocate(2);

        backend.DenseBackward(x.All, w.All, a.All, 2, 1, 1, Activation.Identity, delta.All, dW.All, db.All, dX.All);

        Assert.Equal([2 * 0.25f + 3 * -1f], Download(backend, dW));
        Assert.Equal([0.25f - 1f], Download(backend, db));
        Assert.Equal([0.125f, -0.5f], Download(backend, dX));
    }

    [Fact]
    public void ViewsOutsideTheirBufferAreRejected()
    {
        using var backend = new ReferenceBackend();
        using FloatBuffer buffer = backend.Allocate(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(3, 2));
    }

    private static FloatBuffer Upload(IBackend backend, float[] values)
    {
        FloatBuffer buffer = backend.Allocate(values.Length);
        backend.Upload(values, buffer.All);
        return buffer;
    }

    private static float[] Download(IBackend backend, FloatBuffer buffer)
    {
        float[] values = new float[buffer.Length];
        backend.Download(buffer.All, values);
        return values;
    }
}
