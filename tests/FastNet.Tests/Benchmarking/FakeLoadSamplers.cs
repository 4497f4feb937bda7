using System.Diagnostics;
using FastNet.Benchmarking;

namespace FastNet.Tests.Benchmarking;

/// <summary>Machine counters that step by given rates: load average 4 at the first reading, then +1 a reading; each
/// reading one second after the last, the machine's busy time and this process's own grown by their rates, on a
/// machine of 4 processors.</summary>
internal sealed class SteppingSampler(double busyPerSecond, double ownPerSecond) : ILoadSampler
{
    private int _reads;

    public string UnknownReason => "unused";

    public CpuCounters? Read()
    {
        int n = _reads++;
        return new CpuCounters(4 + n, 100 + n * busyPerSecond, 400 + n * 4, 4, 10 + n * ownPerSecond, 1000 + n * Stopwatch.Frequency);
    }
}

/// <summary>A machine whose counters cannot be read.</summary>
internal sealed class UnknownSampler : ILoadSampler
{
    public string UnknownReason => "no counters on this system";

    public CpuCounters? Read() => null;
}
