using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>Backends on ILGPU's CPU accelerator share one device and its loaded kernels, but not their counts.</summary>
public sealed class GpuDeviceSharingTests
{
    [Fact]
    public void CpuAcceleratorBackendsShareOneDeviceAndItsKernels()
    {
        using var first = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        using var second = new GpuBackend(GpuBackendOptions.CpuAccelerator with { Tiling = GemmTiling.Wide });
        Assert.True(first.Device.IsProcessWide);
        Assert.Same(first.Device, second.Device);
        Assert.Same(first.Device.Kernels, second.Device.Kernels);
    }

    [Fact]
    public void DisposingABackendLeavesTheSharedAcceleratorToTheOthers()
    {
        using var survivor = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        new GpuBackend(GpuBackendOptions.CpuAccelerator).Dispose();
        using FloatBuffer buffer = survivor.Allocate(5);
        survivor.Fill(2.5f, buffer.All);
        float[] values = new float[5];
        survivor.Download(buffer.All, values);
        Assert.All(values, v => Assert.Equal(2.5f, v));
    }

    [Fact]
    public void EachBackendCountsOnlyItsOwnLaunches()
    {
        using var counted = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        using var other = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        using FloatBuffer buffer = counted.Allocate(4);
        long before = counted.KernelLaunches, otherBefore = other.KernelLaunches;
        counted.Fill(1f, buffer.All);
        counted.Fill(2f, buffer.All.Slice(0, 2));
        counted.Fill(3f, BufferView.Empty); // nothing to fill: no launch
        Assert.Equal(before + 2, counted.KernelLaunches);
        Assert.Equal(otherBefore, other.KernelLaunches);
    }
}
