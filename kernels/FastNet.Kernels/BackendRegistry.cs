using FastNet.Kernels.Reference;
using FastNet.Kernels.Simd;

namespace FastNet.Kernels;

/// <summary>A backend FastNet knows how to build.</summary>
/// <param name="Name">What users pass to <c>--backend</c>.</param>
/// <param name="Description">One line for listings.</param>
/// <param name="Priority">Higher wins when <c>--backend auto</c> chooses among the available ones.</param>
/// <param name="WhyUnavailable">Null when the backend can run here, else the reason it cannot.</param>
/// <param name="Create">Builds a new instance.</param>
/// <param name="CreateWithThreads">Builds a new instance that computes on the given number of CPU threads; null for a
/// backend that does not run on CPU threads.</param>
/// <param name="MaxThreads">The most CPU threads it runs on, refused beyond before anything is built.</param>
public sealed record BackendDescriptor(string Name, string Description, int Priority, Func<string?> WhyUnavailable,
    Func<IBackend> Create, Func<int, IBackend>? CreateWithThreads = null, int MaxThreads = int.MaxValue);

/// <summary>The CPU backends of this assembly, as descriptors for a <see cref="BackendRegistry"/>.</summary>
public static class CpuBackends
{
    /// <summary>The executable specification, <see cref="ReferenceBackend"/>.</summary>
    public static BackendDescriptor Reference { get; } = new("reference",
        "scalar loops, float64 accumulation: the specification", 0, () => null, () => new ReferenceBackend(),
        _ => new ReferenceBackend(), MaxThreads: 1);

    /// <summary><see cref="SimdBackend"/> at the widest vector width this processor has.</summary>
    public static BackendDescriptor Simd { get; } = new("simd",
        "vectorized (AVX-512/AVX2/SSE), cache-blocked, multithreaded CPU kernels", 10, () => null,
        () => SimdBackend.Create(), threads => SimdBackend.Create(threads, VectorWidths.Best));
}

/// <summary>
/// A fixed list of backends, built from their descriptors, that creates a backend by name. The program's list, with
/// every backend FastNet has, is made in one place that the CLI, the tests and the benchmarks share (FastNet's
/// <c>Backends</c>); a registry of its own, with the descriptors a test needs, is a new instance.
/// </summary>
public sealed class BackendRegistry
{
    /// <summary>The name that picks the best available backend.</summary>
    public const string Auto = "auto";

    private readonly IReadOnlyList<BackendDescriptor> _known;

    /// <summary>A registry of <paramref name="descriptors"/>, listed in that order. Throws
    /// <see cref="ArgumentException"/> when two share a name.</summary>
    public BackendRegistry(IEnumerable<BackendDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        _known = Array.AsReadOnly([.. descriptors]);
        foreach (IGrouping<string, BackendDescriptor> same in _known.GroupBy(d => d.Name).Where(g => g.Count() > 1))
        {
            throw new ArgumentException($"backend '{same.Key}' is registered twice", nameof(descriptors));
        }
    }

    /// <summary>Every registered backend, available here or not.</summary>
    public IReadOnlyList<BackendDescriptor> All => _known;

    /// <summary>The registered backends that can run on this machine.</summary>
    public IReadOnlyList<BackendDescriptor> Available => [.. All.Where(d => d.WhyUnavailable() is null)];

    /// <summary>
    /// Builds the backend called <paramref name="name"/>, or the available one with the highest priority for
    /// <see cref="Auto"/>. Throws <see cref="ArgumentException"/> naming the available backends when the name is
    /// unknown or the backend cannot run here.
    /// </summary>
    public IBackend Create(string name) => Create(name, threads: null);

    /// <summary>
    /// As <see cref="Create(string)"/>, on <paramref name="threads"/> CPU threads when given (the SIMD backend's
    /// default is one per processor). Throws <see cref="ArgumentException"/> when the count is below 1 or the backend
    /// cannot run on that many CPU threads.
    /// </summary>
    public IBackend Create(string name, int? threads)
    {
        BackendDescriptor descriptor = Resolve(name, threads);
        return threads is int count ? descriptor.CreateWithThreads!(count) : descriptor.Create();
    }

    /// <summary>
    /// The descriptor <see cref="Create(string, int?)"/> would build from, refusing what it would refuse, without
    /// building anything: a program checks its options with it before slow work (reading data) that a bad name or
    /// thread count would waste.
    /// </summary>
    public BackendDescriptor Resolve(string name, int? threads)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (threads < 1)
        {
            throw new ArgumentException($"expected at least 1 thread, got {threads}", nameof(threads));
        }
        BackendDescriptor descriptor = name == Auto ? Available.MaxBy(d => d.Priority)! : Named(name);
        if (threads is not int count)
        {
            return descriptor;
        }
        if (descriptor.CreateWithThreads is null)
        {
            throw new ArgumentException($"backend '{descriptor.Name}' does not run on CPU threads; --threads applies to "
                + "the CPU backends", nameof(threads));
        }
        if (count > descriptor.MaxThreads)
        {
            string most = descriptor.MaxThreads == 1 ? "one thread" : $"at most {descriptor.MaxThreads} threads";
            throw new ArgumentException($"backend '{descriptor.Name}' runs on {most}, not {count}", nameof(threads));
        }
        return descriptor;
    }

    private BackendDescriptor Named(string name)
    {
        // only the named backend is probed: probing another (CUDA through ILGPU) costs start-up time for nothing
        BackendDescriptor? descriptor = All.FirstOrDefault(d => d.Name == name);
        if (descriptor is null)
        {
            throw new ArgumentException($"unknown backend '{name}'; available: {Choices()}", nameof(name));
        }
        string? why = descriptor.WhyUnavailable();
        if (why is not null)
        {
            throw new ArgumentException($"backend '{name}' is not available here: {why}; available: {Choices()}",
                nameof(name));
        }
        return descriptor;
    }

    private string Choices() => string.Join(", ", Available.Select(d => d.Name).Prepend(Auto));
}
