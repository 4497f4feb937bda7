using FastNet.Kernels;
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
}
