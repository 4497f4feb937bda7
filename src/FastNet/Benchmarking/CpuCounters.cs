namespace FastNet.Benchmarking;

/// <summary>The machine's CPU counters at one moment, read from Linux's <c>/proc</c> (<see cref="ProcCounters"/>).</summary>
/// <param name="LoadAverage">The 1-minute load average: runnable and waiting threads, averaged by the kernel.</param>
/// <param name="MachineBusySeconds">CPU seconds every processor together has spent busy since boot.</param>
/// <param name="MachineSeconds">CPU seconds every processor together has counted since boot, busy or idle: the
/// machine's capacity, on the same ticks as <paramref name="MachineBusySeconds"/>.</param>
/// <param name="Processors">The machine's processors (logical cores).</param>
/// <param name="OwnSeconds">CPU seconds this process (all its threads) has run since it started.</param>
/// <param name="Timestamp">The <see cref="System.Diagnostics.Stopwatch"/> timestamp of the reading.</param>
public readonly record struct CpuCounters(double LoadAverage, double MachineBusySeconds, double MachineSeconds, int Processors,
    double OwnSeconds, long Timestamp);

/// <summary>Where <see cref="CpuCounters"/> come from; tests give their own.</summary>
public interface ILoadSampler
{
    /// <summary>The counters now, or null where this machine does not expose them (then
    /// <see cref="UnknownReason"/> says why).</summary>
    CpuCounters? Read();

    /// <summary>Why <see cref="Read"/> returned null.</summary>
    string UnknownReason { get; }
}
