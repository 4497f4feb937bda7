using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The SIMD backend at batch &gt; 1 gives the same bits whatever its thread count: no reduction is split across threads
/// there (batch 1 has its own test, <see cref="PerExampleThreadingTests"/>).
/// </summary>
public class SimdThreadCountTests
{
    [Fact]
    public void SimdBatchResultsDoNotDependOnTheThreadCount()
    {
        using var one = SimdBackend.Create(1, VectorWidths.Best);
        using var three = SimdBackend.Create(3, VectorWidths.Best);
        Assert.Equal(DeterminismTests.Run(one, BackendsUnderTest.Cpu.Determinism),
            DeterminismTests.Run(three, BackendsUnderTest.Cpu.Determinism));
    }

    // outputs a multiple of the GEMM's aliasing row stride, so the row-major W (forward) and dZ (dW) are packed row by
    // row rather than read in place, where A has more rows than Gemm.AliasedInPlaceRows (6 at 256 bits; 512 at 512
    // bits, hence a batch of 530 and 1000 inputs); batches and inputs that leave edge tiles, zero-padded panels of Wᵀ
    // (dX) and a last k-block shorter than the others (1100 inputs: 1024 and 76 steps at 512 bits, W packed; 1000
    // inputs by 13 rows: 512 and 488, W read in place); one, two and three threads split C by rows or by columns
    [Theory]
    [InlineData(97, 300, 1024)]
    [InlineData(300, 97, 512)]
    [InlineData(13, 1000, 1024)]
    [InlineData(530, 60, 512)]
    [InlineData(530, 1100, 512)]
    public void PackedRowMajorOperandsGiveTheSameBitsOnAnyThreadCount(int batch, int inputs, int outputs) =>
        AssertTheSameOnOneTwoAndThreeThreads(backend => DeterminismTests.Run(backend, (batch, inputs, outputs)));

    // a layer whose plain-SGD backward pass takes the fused sweep (a batch of at most 64, W's rows a multiple of the
    // aliasing stride) has its next forward pass split by halves of W's rows where its inputs make two equal k-blocks
    // and W is read in place: 1024 inputs at 512 bits, 512 inputs and a batch of at most 6 at narrower widths (the
    // other shapes then keep the column split, which must agree too)
    [Theory]
    [InlineData(8, 1024, 512)]
    [InlineData(4, 512, 512)]
    [InlineData(64, 1024, 1024)]
    public void AForwardPassAfterTheSweepGivesTheSameBitsOnAnyThreadCount(int batch, int inputs, int outputs) =>
        AssertTheSameOnOneTwoAndThreeThreads(backend => SweepsThenForward(backend, batch, inputs, outputs));

    private static void AssertTheSameOnOneTwoAndThreeThreads(Func<IBackend, float[]> run)
    {
        using var one = SimdBackend.Create(1, VectorWidths.Best);
        using var two = SimdBackend.Create(2, VectorWidths.Best);
        using var three = SimdBackend.Create(3, VectorWidths.Best);
        float[] expected = run(one);
        Assert.Equal(expected, run(two));
        Assert.Equal(expected, run(three));
    }

    // forward, loss and the fused sweep twice, then a last forward pass: every forward pass but the first reads a W
    // that the sweep wrote; returns A, W and dX
    private static float[] SweepsThenForward(IBackend backend, int batch, int inputs, int outputs)
    {
        var random = new Random(11);
        using FloatBuffer x = Host.Upload(backend, Host.Random(random, batch * inputs));
        using FloatBuffer w = Host.Upload(backend, Host.Random(random, inputs * outputs, 0.05));
        using FloatBuffer b = Host.Upload(backend, Host.Random(random, outputs, 0.05));
        using FloatBuffer t = Host.Upload(backend, Host.Random(random, batch * outputs));
        using FloatBuffer a = backend.Allocate(batch * outputs), d = backend.Allocate(batch * outputs);
        using FloatBuffer dx = backend.Allocate(batch * inputs), m = backend.Allocate(2);
        using FloatBuffer dw = backend.Allocate(inputs * outputs), db = backend.Allocate(outputs);
        double product = 1;
        OptimizerStep sgd = OptimizerStep.Create(OptimizerKind.Sgd, 0.3, 0, 0, 0, 0, 0, 1, ref product);
        for (int pass = 0; pass < 2; pass++)
        {
            backend.DenseForward(x.All, w.All, b.All, batch, inputs, outputs, Activation.Tanh, a.All);
            backend.Loss(a.All, t.All, batch, outputs, LossKind.MeanSquaredError, d.All, m.All);
            backend.DenseBackwardSgdStep(x.All, a.All, batch, inputs, outputs, Activation.Tanh, d.All, dx.All, sgd,
                w.All, b.All, dw.All, db.All);
        }
        backend.DenseForward(x.All, w.All, b.All, batch, inputs, outputs, Activation.Tanh, a.All);
        return [.. Host.Download(backend, a.All), .. Host.Download(backend, w.All), .. Host.Download(backend, dx.All)];
    }
}
