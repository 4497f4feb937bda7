using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>Memory accounting and disposal order of a backend of its own.</summary>
public sealed class GpuLifetimeTests
{
    [Fact]
    public void DeviceMemoryIsCountedAndBuffersMayOutliveTheBackend()
    {
        FloatBuffer survivor;
        using (var gpu = new GpuBackend(GpuBackendOptions.CpuAccelerator))
        {
            long baseline = gpu.DeviceBytesInUse;
            using (FloatBuffer buffer = gpu.Allocate(1000))
            using (IndexBuffer indices = gpu.AllocateIndices(10))
            {
                Assert.Equal(baseline + 4000 + 40, gpu.DeviceBytesInUse);
            }
            Assert.Equal(baseline, gpu.DeviceBytesInUse);
            survivor = gpu.Allocate(3);
            gpu.Dispose(); // twice, through using as well
        }
        survivor.Dispose();
    }
}
