using System.Diagnostics;

namespace FastNet.Benchmarking;

/// <summary>
/// How busy the machine was during one measurement: the 1-minute load average at its start and end and, better, the
/// processor time that other processes took while it ran (the whole machine's busy time minus this process's own),
/// in cores on average. A measurement is <see cref="Busy"/> when the others took more than
/// <see cref="BusyCores"/>: then its figures are unreliable.
/// </summary>
/// <param name="LoadAverageStart">The 1-minute load average when the measurement began; null when unknown.</param>
/// <param name="LoadAverageEnd">The same when it ended.</param>
/// <param name="OtherCores">Processor seconds taken by other processes per second of the measurement (1 = one core
/// busy all along); null when unknown.</param>
/// <param name="Seconds">How long the measurement took; 0 when unknown.</param>
/// <param name="UnknownReason">Why the load is unknown; null when it is known.</param>
public sealed record MachineLoad(double? LoadAverageStart, double? LoadAverageEnd, double? OtherCores, double Seconds,
    string? UnknownReason)
{
    /// <summary>Other processes taking more than this many cores on average make a measurement busy.</summary>
    public const double BusyCores = 0.1;

    /// <summary>True when other processes took more than <see cref="BusyCores"/> on average.</summary>
    public bool Busy => OtherCores > BusyCores;

    /// <summary>The load between two readings of the same sampler; unknown if either is missing.</summary>
    public static MachineLoad Between(CpuCounters? start, CpuCounters? end, string unknownReason)
    {
        if (start is not CpuCounters a || end is not CpuCounters b)
        {
            return new MachineLoad(null, null, null, 0, unknownReason);
        }
        double seconds = (b.Timestamp - a.Timestamp) / (double)Stopwatch.Frequency;
        if (seconds <= 0)
        {
            return new MachineLoad(a.LoadAverage, b.LoadAverage, null, 0, "the measurement took no measurable time");
        }
        double others = b.MachineBusySeconds - a.MachineBusySeconds - (b.OwnSeconds - a.OwnSeconds);
        // the two counters tick separately, so a quiet machine can read a hair below zero
        return new MachineLoad(a.LoadAverage, b.LoadAverage, Math.Max(0, others / seconds), seconds, null);
    }
}
