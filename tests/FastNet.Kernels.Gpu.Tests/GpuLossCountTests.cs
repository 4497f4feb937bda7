using FastNet.Kernels.Tests;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>FastNet.Kernels.Tests' LossCountTests on a GPU: the count of 2²⁴ + 1 correct rows stays an integer until
/// it is added to the metrics' 1, so the sum, 2²⁴ + 2, is exact. Skipped on ILGPU's CPU accelerator, where the rows'
/// emulated threads take minutes.</summary>
[Collection(GpuCollection.Name)]
public sealed class GpuLossCountTests(GpuFixture fixture)
{
    [Fact]
    public void LossCountPast2To24IsAddedExactly()
    {
        Assert.SkipWhen(TestDevice.Name == "cpu", "2^24 + 1 emulated threads: minutes on the CPU accelerator");
        GpuBackend gpu = fixture.Backend;
        const int batch = (1 << 24) + 1;
        using FloatBuffer rows = gpu.Allocate(batch), metrics = Host.Upload(gpu, [0, 1]);
        gpu.Fill(0, rows.All);
        gpu.Loss(rows.All, rows.All, batch, 1, LossKind.HalfSquaredError, BufferView.Empty, metrics.All);
        Assert.Equal([0, (1 << 24) + 2], Host.Download(gpu, metrics.All));
    }
}
