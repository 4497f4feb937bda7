using FastNet.Kernels.Reference;
using FastNet.Kernels.Tests;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// The GPU's GEMM paths that the shared suite cannot reach through <see cref="IBackend"/>: the separate bias and
/// activation epilogue that follows a cuBLAS product, and the 128×256 tiling's fallback where its 16-byte vectors do
/// not fit the operands. Compared with the reference under <see cref="OpBounds"/>.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class GpuGemmPathTests(GpuFixture fixture)
{
    [Theory]
    [InlineData(ActivationKind.Identity, false)]
    [InlineData(ActivationKind.Identity, true)]
    [InlineData(ActivationKind.Sigmoid, true)]
    [InlineData(ActivationKind.Tanh, true)]
    [InlineData(ActivationKind.Relu, false)]
    public void SeparateBiasActivationEpilogueMatchesTheReference(ActivationKind kind, bool bias)
    {
        var activation = new Activation(kind, 0);
        const int batch = 9, inputs = 5, outputs = 70;
        var random = new Random(70);
        float[] x = Host.Random(random, batch * inputs, 2), w = Host.Random(random, inputs * outputs);
        float[]? b = bias ? Host.Random(random, outputs) : null;
        GpuBackend gpu = fixture.Backend;
        using FloatBuffer X = Host.Upload(gpu, x), W = Host.Upload(gpu, w), A = gpu.Allocate(batch * outputs);
        using FloatBuffer B = Host.Upload(gpu, b ?? [0]);
        // as the cuBLAS path runs it: a bare product, then the bias and activation kernel
        gpu.DenseForward(X.All, W.All, BufferView.Empty, batch, inputs, outputs, Activation.Identity, A.All);
        gpu.Gemm.BiasActivation(b is null ? BufferView.Empty : B.All, batch, outputs, activation, A.All);
        using var reference = new ReferenceBackend();
        Expect.Forward(x, w, b, batch, inputs, outputs, activation, Host.Download(gpu, A.All),
            Forward(reference, x, w, b, batch, inputs, outputs, activation));
    }

    // A row length that is not a multiple of 4 floats, or a view that starts off a 4-float boundary, must make the
    // backend take another tiling: forced wide tiles still give the reference's results (the vector path would read
    // shifted or misaligned rows).
    [Theory]
    [InlineData(9, 13, 20, 0)]
    [InlineData(9, 12, 22, 0)]
    [InlineData(9, 12, 20, 1)]
    [InlineData(9, 12, 20, 2)]
    public void WideTilingFallsBackWhereVectorsDoNotFit(int batch, int inputs, int outputs, int offset)
    {
        var random = new Random(batch + inputs + outputs + offset);
        float[] x = Host.Random(random, batch * inputs), w = Host.Random(random, inputs * outputs);
        float[] b = Host.Random(random, outputs), dA = Host.Random(random, batch * outputs);
        float[] a = [.. Host.Random(random, batch * outputs, 3).Select(MathF.Tanh)];
        GpuBackend gpu = fixture.WideTiles;
        // x and the delta as views that start offset floats into their buffers
        using FloatBuffer X = Host.Upload(gpu, [.. new float[offset], .. x]), W = Host.Upload(gpu, w);
        using FloatBuffer B = Host.Upload(gpu, b), A = gpu.Allocate(batch * outputs), AIn = Host.Upload(gpu, a);
        using FloatBuffer D = Host.Upload(gpu, [.. new float[offset], .. dA]), DW = gpu.Allocate(inputs * outputs);
        using FloatBuffer DB = gpu.Allocate(outputs), DX = gpu.Allocate(batch * inputs);
        BufferView xView = X.Slice(offset, batch * inputs), dView = D.Slice(offset, batch * outputs);
        gpu.DenseForward(xView, W.All, B.All, batch, inputs, outputs, Activation.Tanh, A.All);
        gpu.DenseBackward(xView, W.All, AIn.All, batch, inputs, outputs, Activation.Tanh, dView, DW.All, DB.All,
            DX.All);

        using var reference = new ReferenceBackend();
        Expect.Forward(x, w, b, batch, inputs, outputs, Activation.Tanh, Host.Download(gpu, A.All),
            Forward(reference, x, w, b, batch, inputs, outputs, Activation.Tanh));
        using FloatBuffer rX = Host.Upload(reference, x), rW = Host.Upload(reference, w), rA = Host.Upload(reference, a);
        using FloatBuffer rD = Host.Upload(reference, dA), rDW = reference.Allocate(inputs * outputs);
        using FloatBuffer rDB = reference.Allocate(outputs), rDX = reference.Allocate(batch * inputs);
        reference.DenseBackward(rX.All, rW.All, rA.All, batch, inputs, outputs, Activation.Tanh, rD.All, rDW.All,
            rDB.All, rDX.All);
        Expect.Backward(Activation.Tanh, x, w, a, null, dA, batch, inputs, outputs,
            (Host.Download(gpu, dView), Host.Download(gpu, DW.All), Host.Download(gpu, DB.All), Host.Download(gpu, DX.All)),
            (Host.Download(reference, rD.All), Host.Download(reference, rDW.All), Host.Download(reference, rDB.All),
                Host.Download(reference, rDX.All)));
    }

    private static float[] Forward(ReferenceBackend reference, float[] x, float[] w, float[]? b, int batch, int inputs,
        int outputs, Activation activation)
    {
        using FloatBuffer X = Host.Upload(reference, x), W = Host.Upload(reference, w), B = Host.Upload(reference, b ?? [0]);
        using FloatBuffer A = reference.Allocate(batch * outputs);
        reference.DenseForward(X.All, W.All, b is null ? BufferView.Empty : B.All, batch, inputs, outputs, activation,
            A.All);
        return Host.Download(reference, A.All);
    }
}
