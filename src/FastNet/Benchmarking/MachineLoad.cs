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

    /// <summary>Measurements shorter than this have no figure for other processes: the kernel counts processor time
    /// in 10 ms ticks, each processor's apart, so over a short time one tick more or less on each would swing the
    /// figure past <see cref="BusyCores"/>.</summary>
    public const double MinimumSeconds = 0.5;

    /// <summary>The load between two readings of the same sampler; unknown if either is missing or they are less than
    /// <see cref="MinimumSeconds"/> apart.</summary>
    public static MachineLoad Between(CpuCounters? start, CpuCounters? end, string unknownReason)
    {
        if (start is not CpuCounters a || end is not CpuCounters b)
        {
            return new MachineLoad(null, null, null, 0, unknownReason);
        }
        double seconds = Math.Max(0, (b.Timestamp - a.Timestamp) / (double)Stopwatch.Frequency);
        double capacity = b.MachineSeconds - a.MachineSeconds;
        if (seconds < MinimumSeconds || capacity <= 0)
        {
            return new MachineLoad(a.LoadAverage, b.LoadAverage, null, seconds, string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"a measurement of {seconds:F2} s is too short to tell (the kernel counts processor time in 10 ms ticks; at least {MinimumSeconds} s)"));
        }
        // The others' share of the machine's processor time, busy and total read from the same counters, so that it
        // cannot pass the machine's size; this process's own time ticks apart from them, so a quiet machine can read
        // a hair below zero.
        double share = (b.MachineBusySeconds - a.MachineBusySeconds - (b.OwnSeconds - a.OwnSeconds)) / capacity;
        return new MachineLoad(a.LoadAverage, b.LoadAverage, Math.Clamp(share, 0, 1) * b.Processors, seconds, null);
    }
}
