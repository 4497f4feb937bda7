namespace FastNet.Benchmarking;

/// <summary>Measures the machine's load latency between a benchmark's timed repeats; tests give their own.</summary>
public interface ILatencyProbe
{
    /// <summary>Nanoseconds one load takes now. Must not allocate: it runs between repeats whose allocations are
    /// counted.</summary>
    double Nanoseconds();
}
