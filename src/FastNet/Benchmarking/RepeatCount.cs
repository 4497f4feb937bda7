namespace FastNet.Benchmarking;

/// <summary>
/// How many timed repeats one measurement may take. Each repeat keeps its rate and its load latency (8 bytes each, and
/// copies of them for the median and the report), and each is followed by a load latency probe of about 10 ms: at
/// <see cref="Max"/> repeats the probes alone take over 16 minutes, far more than a median needs, while the kept
/// figures stay a few megabytes. A count near <see cref="int.MaxValue"/> would ask for tens of gigabytes of them
/// before the first repeat.
/// </summary>
public static class RepeatCount
{
    /// <summary>The most repeats a measurement takes.</summary>
    public const int Max = 100_000;

    /// <summary>Throws unless <paramref name="repeats"/> is from 1 to <see cref="Max"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static void Check(int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(repeats, Max);
    }
}
