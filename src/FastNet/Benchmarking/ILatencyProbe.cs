using FastNet.Kernels.Cpu;

namespace FastNet.Benchmarking;

/// <summary>Measures the machine's load latency between a benchmark's timed repeats; tests give their own.</summary>
public interface ILatencyProbe
{
    /// <summary>Nanoseconds one load takes now. Must not allocate: it runs between repeats whose allocations are
    /// counted.</summary>
    double Nanoseconds();
}

/// <summary>The machine's own probe: <see cref="CacheLatency"/>, its chain laid out once.</summary>
public sealed class CacheLatencyProbe : ILatencyProbe, IDisposable
{
    private readonly CacheLatency _probe = new();

    /// <inheritdoc />
    public double Nanoseconds() => _probe.Measure();

    /// <inheritdoc />
    public void Dispose() => _probe.Dispose();
}
