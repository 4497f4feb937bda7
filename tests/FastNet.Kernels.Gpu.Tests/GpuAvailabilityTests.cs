using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>Selection of the "gpu" backend. The assertions about a missing device hold only where there is none.</summary>
public sealed class GpuAvailabilityTests
{
    [Fact]
    public void DescriptorNamesTheGpuBackendWithPriority20()
    {
        BackendDescriptor descriptor = GpuBackendInfo.Descriptor;
        Assert.Equal("gpu", descriptor.Name);
        Assert.Equal(20, descriptor.Priority);
    }

    [Fact]
    public void WithoutCudaDeviceTheBackendSaysSoClearly()
    {
        if (GpuBackendInfo.WhyUnavailable() is null)
        {
            return; // a CUDA device is present: nothing to check here
        }
        Assert.StartsWith("no CUDA device found", GpuBackendInfo.WhyUnavailable());
        var error = Assert.Throws<InvalidOperationException>(() => new GpuBackend());
        Assert.Contains("no CUDA device found", error.Message);
        Assert.DoesNotContain(GpuBackendInfo.ListDevices(), d => d.Kind == "cuda");

        var registry = new BackendRegistry([CpuBackends.Reference, CpuBackends.Simd, GpuBackendInfo.Descriptor]);
        var refused = Assert.Throws<ArgumentException>(() => registry.Create("gpu"));
        Assert.Contains("not available here: no CUDA device found", refused.Message);
        using IBackend fallback = registry.Create(BackendRegistry.Auto);
        Assert.NotEqual("gpu", fallback.Name);
    }

    [Fact]
    public void DeviceListingDescribesTheCpuAccelerator()
    {
        GpuDeviceInfo cpu = Assert.Single(GpuBackendInfo.ListDevices(includeCpuAccelerator: true), d => d.Kind == "cpu");
        Assert.Equal(32, cpu.WarpSize);
        Assert.Equal(256, cpu.MaxThreadsPerGroup);
        Assert.True(cpu.MaxSharedMemoryPerGroup > 0);
    }
}
