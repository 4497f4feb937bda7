using System.Runtime.InteropServices;
using FastNet.Kernels;
using FastNet.Kernels.Gpu;
using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Tests;

/// <summary>The one registry of every backend, whatever ran before it.</summary>
public class BackendsTests
{
    [Fact]
    public void AFreshRegistryListsEveryBackend()
    {
        BackendRegistry registry = Backends.CreateRegistry();
        Assert.Equal(["reference", "simd", "gpu", "gpu-own"], registry.All.Select(d => d.Name));
        Assert.Contains(registry.Available, d => d.Name == "reference");
        Assert.Contains(registry.Available, d => d.Name == "simd");
    }

    [Fact]
    public void TheSharedRegistryHoldsTheSameBackendsAsAFreshOne() =>
        Assert.Equal(Backends.CreateRegistry().All.Select(d => d.Name), Backends.All.Select(d => d.Name));

    [Fact]
    public void SimdRunsOnTheThreadsAskedForAndReferenceOnOne()
    {
        using IBackend simd = Backends.Create("simd", threads: 3);
        Assert.Equal(3, Assert.IsAssignableFrom<SimdBackend>(simd).Threads);
        using IBackend reference = Backends.Create("reference", threads: 1);
        Assert.Equal("reference", reference.Name);
        var refused = Assert.Throws<ArgumentException>(() => Backends.Create("reference", threads: 2));
        Assert.Contains("runs on one thread, not 2", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARegistryRefusesTwoBackendsOfOneName()
    {
        var e = Assert.Throws<ArgumentException>(() => new BackendRegistry([CpuBackends.Simd, CpuBackends.Simd]));
        Assert.Contains("backend 'simd' is registered twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANamedBackendIsBuiltWithoutProbingTheOthers()
    {
        // a probe that counts its calls stands for CUDA's, which costs start-up time
        int probes = 0;
        var device = new BackendDescriptor("device", "a backend whose probe is slow", 50, () =>
        {
            probes++;
            return "no device";
        }, () => throw new InvalidOperationException("not built"));
        var registry = new BackendRegistry([CpuBackends.Reference, device]);

        using (IBackend reference = registry.Create("reference"))
        {
            Assert.Equal("reference", reference.Name);
        }
        Assert.Equal(0, probes);

        // auto and the error messages still list what is available, probing to know it
        using (IBackend auto = registry.Create(BackendRegistry.Auto))
        {
            Assert.Equal("reference", auto.Name);
        }
        var unknown = Assert.Throws<ArgumentException>(() => registry.Create("nothing"));
        Assert.Contains("available: auto, reference", unknown.Message, StringComparison.Ordinal);
        var unavailable = Assert.Throws<ArgumentException>(() => registry.Create("device"));
        Assert.Contains("not available here: no device", unavailable.Message, StringComparison.Ordinal);
        Assert.True(probes >= 3);
    }

    [Fact]
    public void WithoutTheCudaDriverLibraryTheGpuIsUnavailableBeforeIlgpuIsAsked()
    {
        // the driver's library under the names the probe looks for; where none loads, ILGPU is never asked
        bool driver = new[] { "libcuda.so.1", "libcuda.so", "nvcuda.dll" }.Any(name =>
        {
            bool loaded = NativeLibrary.TryLoad(name, out IntPtr handle);
            if (loaded)
            {
                NativeLibrary.Free(handle);
            }
            return loaded;
        });
        string? why = GpuBackendInfo.WhyUnavailable();
        if (driver)
        {
            Assert.DoesNotContain("no CUDA driver library", why ?? "", StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("no CUDA device found (no CUDA driver library: libcuda.so.1, libcuda.so, nvcuda.dll)", why);
        }
    }
}
