using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>Memory accounting and disposal order of a backend of its own.</summary>
public sealed class GpuLifetimeTests
{
    [Fact]
    public void DeviceMemoryIsCountedAndBuffersMayOutliveTheBackend()
    {
        FloatBuffer survivor;
        using (GpuBackend gpu = TestDevice.CreateBackend())
        {
            // A fresh backend holds only the workspace it gave cuBLAS, if it uses cuBLAS.
            long baseline = gpu.DeviceBytesInUse;
            Assert.Equal(gpu.CuBlasWorkspaceBytes, baseline);
            Assert.Equal(gpu.UsesCuBlas, gpu.CuBlasWorkspaceBytes > 0);
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

    [Fact]
    public void ADisposedBackendAllocatesNothing()
    {
        GpuBackend gpu = TestDevice.CreateBackend();
        gpu.Dispose();

        // its accelerator is gone: a buffer from it would hold memory of no context
        Assert.Throws<ObjectDisposedException>(() => gpu.Allocate(10));
        Assert.Throws<ObjectDisposedException>(() => gpu.AllocateIndices(10));
    }
}
