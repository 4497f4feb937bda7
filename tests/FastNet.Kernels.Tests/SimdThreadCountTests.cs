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
    public void PackedRowMajorOperandsGiveTheSameBitsOnAnyThreadCount(int batch, int inputs, int outputs)
    {
        using var one = SimdBackend.Create(1, VectorWidths.Best);
        using var two = SimdBackend.Create(2, VectorWidths.Best);
        using var three = SimdBackend.Create(3, VectorWidths.Best);
        float[] expected = DeterminismTests.Run(one, (batch, inputs, outputs));
        Assert.Equal(expected, DeterminismTests.Run(two, (batch, inputs, outputs)));
        Assert.Equal(expected, DeterminismTests.Run(three, (batch, inputs, outputs)));
    }
}
