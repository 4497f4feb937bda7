using FastNet.Kernels.Cpu;

namespace FastNet.Benchmarking;

/// <summary>The machine's own probe: <see cref="CacheLatency"/>, its chain laid out once.</summary>
public sealed class CacheLatencyProbe : ILatencyProbe, IDisposable
{
    private readonly CacheLatency _probe = new();

    /// <inheritdoc />
    public double Nanoseconds() => _probe.Measure();

    /// <inheritdoc />
    public void Dispose() => _probe.Dispose();
}
