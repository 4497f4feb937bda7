using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>The SIMD backend's report of its own scratch memory, which <c>fastnet bench</c> adds to a workload's
/// computed size.</summary>
public class SimdScratchTests
{
    [Fact]
    public void ScratchStartsEmptyHoldsThePackedPartOfTheWeightsAndNeverShrinks()
    {
        // one thread: with more, which workers pack (and so allocate) depends on who claims the tasks
        using var simd = SimdBackend.Create(1, VectorWidths.Best);
        Assert.Equal(0, simd.ScratchBytes);

        // W [inputs, outputs] is read in place but for its last, partial micro-panel (two vectors wide: the outputs are
        // odd, so there is one at every width), which the GEMM packs, zero-padded, over all the inputs
        long panel = 2 * (int)simd.Width / 32;
        long small = Forward(simd, batch: 40, inputs: 300, outputs: 71);
        Assert.True(small >= 4L * 300 * panel, $"{small} bytes of scratch after a 40x300x71 product");

        long large = Forward(simd, batch: 40, inputs: 900, outputs: 131);
        Assert.True(large >= 4L * 900 * panel, $"{large} bytes of scratch after a 40x900x131 product");
        Assert.True(large > small);

        // buffers grow to the largest shape and are kept, so a smaller product afterwards costs nothing more
        Assert.Equal(large, Forward(simd, batch: 40, inputs: 300, outputs: 71));
    }

    private static long Forward(SimdBackend simd, int batch, int inputs, int outputs)
    {
        var random = new Random(batch * inputs + outputs);
        using FloatBuffer x = Host.Upload(simd, Host.Random(random, batch * inputs));
        using FloatBuffer w = Host.Upload(simd, Host.Random(random, inputs * outputs));
        using FloatBuffer a = simd.Allocate(batch * outputs);
        simd.DenseForward(x.All, w.All, BufferView.Empty, batch, inputs, outputs, Activation.Relu, a.All);
        return simd.ScratchBytes;
    }
}
