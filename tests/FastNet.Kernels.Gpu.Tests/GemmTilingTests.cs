using FastNet.Kernels.Reference;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>Which GEMM tiling a product gets, and when the wide kernels' vectors fit its operands.</summary>
[Collection(GpuCollection.Name)]
public sealed class GemmTilingTests(GpuFixture fixture)
{
    [Fact]
    public void AutoTakesTheLargestTileThatGivesEveryMultiprocessorOne()
    {
        GemmRouter auto = fixture.Backend.Gemm;
        int p = auto.Multiprocessors;
        Assert.Equal(GemmTiling.Wide, auto.TilingFor(128 * p, 256, wideFits: true));
        Assert.Equal(GemmTiling.Wide, auto.TilingFor(128, 256 * p, wideFits: true));
        Assert.Equal(GemmTiling.Large, auto.TilingFor(128 * p, 256, wideFits: false));
        Assert.Equal(GemmTiling.Large, auto.TilingFor(128 * p, 255, wideFits: true)); // no full 256-column tile
        Assert.Equal(GemmTiling.Small, auto.TilingFor(127, 256 * p, wideFits: true));
        Assert.Equal(GemmTiling.Small, auto.TilingFor(1, 1, wideFits: true));
        if (p > 1)
        {
            // one tile short of a wide tile per multiprocessor, but enough 128×128 tiles
            Assert.Equal(GemmTiling.Large, auto.TilingFor(128 * (p - 1), 256, wideFits: true));
        }
    }

    [Fact]
    public void ForcedWideFallsBackToTheAutomaticChoiceWhereVectorsDoNotFit()
    {
        GemmRouter wide = fixture.WideTiles.Gemm;
        int p = wide.Multiprocessors;
        Assert.Equal(GemmTiling.Wide, wide.TilingFor(1, 1, wideFits: true));
        Assert.Equal(GemmTiling.Small, wide.TilingFor(1, 1, wideFits: false));
        Assert.Equal(GemmTiling.Large, wide.TilingFor(128 * p, 256, wideFits: false));
        Assert.Equal(GemmTiling.Large, fixture.LargeTiles.Gemm.TilingFor(1, 1, wideFits: true));
    }

    [Fact]
    public void VectorsFitRowsOfWholeVectorsThatStartOnAVectorBoundary()
    {
        using var reference = new ReferenceBackend();
        using FloatBuffer buffer = reference.Allocate(64);
        BufferView aligned = buffer.All.Slice(8, 16), shifted = buffer.All.Slice(6, 16);
        Assert.True(GemmWideKernels.Fits(4, 12, aligned, buffer.All));
        Assert.False(GemmWideKernels.Fits(4, 12, aligned, shifted));
        Assert.False(GemmWideKernels.Fits(6, 12, aligned));
        Assert.False(GemmWideKernels.Fits(4, 10, aligned));
    }
}
