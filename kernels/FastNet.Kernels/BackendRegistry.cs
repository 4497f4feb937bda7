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
public sealed record BackendDescriptor(string Name, string Description, int Priority, Func<string?> WhyUnavailable,
    Func<IBackend> Create, Func<int, IBackend>? CreateWithThreads = null);

/// <summary>
/// The backends this process knows. The CPU backends are built in; a backend from another assembly (the GPU one)
/// is added by the program that references it, with <see cref="Register"/>. Tests enumerate <see cref="All"/>, so a
/// new backend inherits the whole equivalence suite.
/// </summary>
public static class BackendRegistry
{
    /// <summary>The name that picks the best available backend.</summary>
    public const string Auto = "auto";

    private static readonly Lock Gate = new();
    private static readonly List<BackendDescriptor> Known =
    [
        new("reference", "scalar loops, float64 accumulation: the specification", 0, () => null,
            () => new ReferenceBackend(), threads => threads == 1 ? new ReferenceBackend()
                : throw new ArgumentException($"backend 'reference' runs on one thread, not {threads}", nameof(threads))),
        new("simd", "vectorized (AVX-512/AVX2/SSE), cache-blocked, multithreaded CPU kernels", 10, () => null,
            () => new SimdBackend(), threads => new SimdBackend(threads, VectorWidths.Best)),
    ];

    /// <summary>Every registered backend, available here or not.</summary>
    public static IReadOnlyList<BackendDescriptor> All
    {
        get
        {
            lock (Gate)
            {
                return [.. Known];
            }
        }
    }

    /// <summary>The registered backends that can run on this machine.</summary>
    public static IReadOnlyList<BackendDescriptor> Available => [.. All.Where(d => d.WhyUnavailable() is null)];

    /// <summary>Adds a backend; registering a name twice keeps the first.</summary>
    public static void Register(BackendDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        lock (Gate)
        {
            if (!Known.Exists(d => d.Name == descriptor.Name))
            {
                Known.Add(descriptor);
            }
        }
    }

    /// <summary>
    /// Builds the backend called <paramref name="name"/>, or the available one with the highest priority for
    /// <see cref="Auto"/>. Throws <see cref="ArgumentException"/> naming the available backends when the name is
    /// unknown or the backend cannot run here.
    /// </summary>
    public static IBackend Create(string name) => Create(name, threads: null);

    /// <summary>
    /// As <see cref="Create(string)"/>, on <paramref name="threads"/> CPU threads when given (the SIMD backend's
    /// default is one per processor). Throws <see cref="ArgumentException"/> when the count is below 1 or the backend
    /// cannot run on that many CPU threads.
    /// </summary>
    public static IBackend Create(string name, int? threads)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (threads < 1)
        {
            throw new ArgumentException($"expected at least 1 thread, got {threads}", nameof(threads));
        }
        IReadOnlyList<BackendDescriptor> available = Available;
        string choices = string.Join(", ", available.Select(d => d.Name).Prepend(Auto));
        if (name == Auto)
        {
            return Build(available.MaxBy(d => d.Priority)!, threads);
        }
        BackendDescriptor? descriptor = All.FirstOrDefault(d => d.Name == name);
        if (descriptor is null)
        {
            throw new ArgumentException($"unknown backend '{name}'; available: {choices}", nameof(name));
        }
        string? why = descriptor.WhyUnavailable();
        if (why is not null)
        {
            throw new ArgumentException($"backend '{name}' is not available here: {why}; available: {choices}",
                nameof(name));
        }
        return Build(descriptor, threads);
    }

    private static IBackend Build(BackendDescriptor descriptor, int? threads) => threads is not int count
        ? descriptor.Create()
        : descriptor.CreateWithThreads is { } create
            ? create(count)
            : throw new ArgumentException($"backend '{descriptor.Name}' does not run on CPU threads; --threads applies to "
                + "the CPU backends", nameof(threads));
}
