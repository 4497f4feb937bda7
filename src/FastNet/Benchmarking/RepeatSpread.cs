namespace FastNet.Benchmarking;

/// <summary>
/// How far apart a measurement's repeats lie: the fastest over the slowest. Other processes are not the only thing
/// that slows a machine: a virtual machine's host, or power and thermal limits, can slow its cores for seconds at a
/// time while <c>/proc</c> shows nothing else running, and then the repeats of one measurement differ as much as
/// separate processes do. A measurement whose repeats differ by more than <see cref="UnsteadyAbove"/> is unsteady:
/// its median says little about the code.
/// </summary>
public static class RepeatSpread
{
    /// <summary>Repeats further apart than this (fastest / slowest) make a measurement unsteady: ±10% around their
    /// middle, the stability asked of rates across fresh processes.</summary>
    public const double UnsteadyAbove = 1.2;

    /// <summary>The fastest repeat over the slowest; 1 for fewer than two repeats, or where a repeat is not positive.</summary>
    public static double Of(IReadOnlyList<double> repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Count < 2 || repeats.Min() <= 0)
        {
            return 1;
        }
        return repeats.Max() / repeats.Min();
    }

    /// <summary>True when the repeats are further apart than <see cref="UnsteadyAbove"/>.</summary>
    public static bool Unsteady(IReadOnlyList<double> repeats) => Of(repeats) > UnsteadyAbove;
}
