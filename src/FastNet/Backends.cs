using FastNet.Kernels;
using FastNet.Kernels.Gpu;

namespace FastNet;

/// <summary>
/// Every backend FastNet has, registered here and nowhere else. The CLI, the tests and the benchmarks create backends
/// through <see cref="Registry"/>, so each sees the same list whatever ran before.
/// </summary>
public static class Backends
{
    /// <summary>The registry of every backend.</summary>
    public static BackendRegistry Registry { get; } = CreateRegistry();

    /// <summary>Every registered backend, available here or not.</summary>
    public static IReadOnlyList<BackendDescriptor> All => Registry.All;

    /// <summary>The registered backends that can run on this machine.</summary>
    public static IReadOnlyList<BackendDescriptor> Available => Registry.Available;

    /// <summary>A new registry of every backend: the CPU backends, then the GPU backend and its own-kernels
    /// variant.</summary>
    public static BackendRegistry CreateRegistry() => new([CpuBackends.Reference, CpuBackends.Simd,
        GpuBackendInfo.Descriptor, GpuBackendInfo.OwnKernelsDescriptor]);

    /// <summary>Builds the backend called <paramref name="name"/> (<see cref="BackendRegistry.Auto"/>: the best
    /// available), on <paramref name="threads"/> CPU threads when given; see
    /// <see cref="Backends.Create(string, int?)"/>.</summary>
    public static IBackend Create(string name, int? threads = null) => Registry.Create(name, threads);
}
