using System.Globalization;
using System.Text.Json;
using FastNet.Benchmarking;

namespace FastNet.Cli.Reporting;

/// <summary>How <c>fastnet bench</c> shows how steady each measurement was: a table column (fastest repeat over the
/// slowest), a warning line for each unsteady measurement, and the same in JSON.</summary>
internal static class SpreadReport
{
    /// <summary>The column's header.</summary>
    public static string Header => $" {"spread",6}";

    /// <summary>A row's column: the fastest repeat over the slowest, "1.04".</summary>
    public static string Column(IReadOnlyList<double> repeats) =>
        string.Create(CultureInfo.InvariantCulture, $" {RepeatSpread.Of(repeats),6:F2}");

    /// <summary>The column explained, then one warning per unsteady measurement: <paramref name="measured"/> pairs
    /// what was measured ("per-example on simd") with its repeats, in <paramref name="unit"/>.</summary>
    public static IEnumerable<string> Notes(IEnumerable<(string What, IReadOnlyList<double> Repeats)> measured, string unit)
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c,
            $"  spread = fastest repeat / slowest; unsteady above {RepeatSpread.UnsteadyAbove:F2} (the machine changed speed during the measurement)");
        foreach ((string what, IReadOnlyList<double> repeats) in measured.Where(m => RepeatSpread.Unsteady(m.Repeats)))
        {
            yield return string.Create(c,
                $"warning: {what} was unsteady: its repeats ranged from {repeats.Min():N1} to {repeats.Max():N1} {unit} (x{RepeatSpread.Of(repeats):F2}); where other processes took little, the machine itself changed speed (its host, power or heat), so the median is unreliable");
        }
    }

    /// <summary>Writes <c>"repeat_spread"</c> and <c>"unsteady"</c>.</summary>
    public static void Write(Utf8JsonWriter w, IReadOnlyList<double> repeats)
    {
        w.WriteNumber("repeat_spread", RepeatSpread.Of(repeats));
        w.WriteBoolean("unsteady", RepeatSpread.Unsteady(repeats));
    }
}
