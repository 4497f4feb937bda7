using System.Diagnostics;
using System.Globalization;

namespace FastNet.Benchmarking;

/// <summary>
/// Reads <see cref="CpuCounters"/> from <c>/proc/loadavg</c>, <c>/proc/stat</c> and <c>/proc/self/stat</c>; on a
/// system without them (not Linux) every reading is null and the load is reported as unknown.
/// </summary>
public sealed class ProcCounters : ILoadSampler
{
    // /proc counts CPU time in USER_HZ ticks, which the kernel fixes at 100 per second for user space on every
    // architecture .NET runs on
    private const double TicksPerSecond = 100;

    private const int Steal = 7; // the "cpu" line's last counter that is not inside another (guest is inside user)

    private readonly string _root;

    /// <summary>Reads the files under <paramref name="root"/> (<c>/proc</c> unless a test points elsewhere).</summary>
    public ProcCounters(string root = "/proc") => _root = root;

    /// <summary>The machine's own counters.</summary>
    public static ProcCounters Machine { get; } = new();

    /// <inheritdoc />
    public string UnknownReason => $"{_root}/stat is not available (the load is read from Linux's /proc)";

    /// <inheritdoc />
    public CpuCounters? Read()
    {
        try
        {
            string loadavg = File.ReadAllText(Path.Combine(_root, "loadavg"));
            string stat = File.ReadAllText(Path.Combine(_root, "stat"));
            string self = File.ReadAllText(Path.Combine(_root, "self", "stat"));
            return new CpuCounters(LoadAverage(loadavg), BusyTicks(stat) / TicksPerSecond, TotalTicks(stat) / TicksPerSecond,
                Processors(stat), OwnTicks(self) / TicksPerSecond, Stopwatch.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average: the first field of <c>/proc/loadavg</c> ("0.52 0.58 0.59 2/345 1234").</summary>
    public static double LoadAverage(string loadavg)
    {
        ArgumentNullException.ThrowIfNull(loadavg);
        string first = loadavg.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
            ?? throw new FormatException("/proc/loadavg is empty");
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new FormatException($"/proc/loadavg: expected a number first, found '{first}'");
    }

    /// <summary>Ticks all processors have been busy: of <c>/proc/stat</c>'s "cpu" line (user, nice, system, idle,
    /// iowait, irq, softirq, steal, …) everything but idle and iowait. Steal counts as busy: a hypervisor gave that
    /// time to another machine, so it was not ours either. Guest time is already inside user and nice.</summary>
    public static long BusyTicks(string stat)
    {
        long[] fields = CpuLine(stat);
        const int idle = 3, iowait = 4;
        long busy = 0;
        for (int i = 0; i < Math.Min(fields.Length, Steal + 1); i++)
        {
            busy += i is idle or iowait ? 0 : fields[i];
        }
        return busy;
    }

    /// <summary>Ticks all processors have counted, busy or not: the "cpu" line's counters up to steal (guest time is
    /// inside user and nice).</summary>
    public static long TotalTicks(string stat) => CpuLine(stat).Take(Steal + 1).Sum();

    /// <summary>The processors <c>/proc/stat</c> counts: its "cpuN" lines.</summary>
    public static int Processors(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        int count = stat.Split('\n').Count(l => l.Length > 3 && l.StartsWith("cpu", StringComparison.Ordinal) && char.IsAsciiDigit(l[3]));
        return count > 0 ? count : throw new FormatException("/proc/stat: no 'cpuN' line");
    }

    private static long[] CpuLine(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        string line = stat.Split('\n').FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal))
            ?? throw new FormatException("/proc/stat: no 'cpu' line");
        long[] fields = [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Ticks)];
        return fields.Length >= 7 ? fields
            : throw new FormatException($"/proc/stat: expected at least 7 counters on the 'cpu' line, found {fields.Length}");
    }

    /// <summary>Ticks this process has run, user plus system (<c>/proc/self/stat</c>'s fields 14 and 15). They are
    /// counted after the command name's closing parenthesis, since the name itself may hold spaces and
    /// parentheses.</summary>
    public static long OwnTicks(string selfStat)
    {
        ArgumentNullException.ThrowIfNull(selfStat);
        int end = selfStat.LastIndexOf(')');
        if (end < 0)
        {
            throw new FormatException("/proc/self/stat: no ')' after the command name");
        }
        // after ')' come field 3 (state) onwards, so utime (14) and stime (15) are the 12th and 13th
        string[] fields = selfStat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 13
            ? Ticks(fields[11]) + Ticks(fields[12])
            : throw new FormatException($"/proc/self/stat: expected at least 15 fields, found {fields.Length + 2}");
    }

    private static long Ticks(string field) =>
        long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new FormatException($"/proc: expected a count of ticks, found '{field}'");
}
