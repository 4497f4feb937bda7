using System.Globalization;
using System.Text.Json;
using FastNet.Benchmarking;

namespace FastNet.Cli.Reporting;

/// <summary>How <c>fastnet bench</c> shows the machine's load beside each measurement: two table columns, a warning
/// line for each busy measurement, and the same in JSON.</summary>
internal static class LoadReport
{
    /// <summary>The columns' header: cores other processes took, and the load average from start to end.</summary>
    public static string Header => $" {"others",6} {"loadavg",11}";

    /// <summary>A row's two columns; "?" where the load is unknown.</summary>
    public static string Columns(MachineLoad load) => $" {Others(load),6} {Average(load),11}";

    /// <summary>The cores other processes took, "1.50"; "?" where unknown.</summary>
    public static string Others(MachineLoad load) =>
        load.OtherCores is double cores ? cores.ToString("F2", CultureInfo.InvariantCulture) : "?";

    /// <summary>The load average at start and end, "4.00-5.00"; "?" where unknown.</summary>
    public static string Average(MachineLoad load) =>
        load.LoadAverageStart is double a && load.LoadAverageEnd is double b
            ? string.Create(CultureInfo.InvariantCulture, $"{a:F2}-{b:F2}")
            : "?";

    /// <summary>The columns explained, then one line per busy measurement and one per reason the load is unknown.
    /// <paramref name="measured"/> pairs what was measured ("per-example on simd") with its load; <paramref name="timed"/>
    /// names the time measured and <paramref name="own"/> the processor time that is the measurement's own.</summary>
    public static IEnumerable<string> Notes(IEnumerable<(string What, MachineLoad Load)> measured,
        string timed = "the timed repeats", string own = "this process's own")
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"  others = cores other processes took on average during {timed} (the machine's busy time");
        yield return string.Create(c, $"  less {own}, from /proc); loadavg = 1-minute load average at start-end; busy = others > {MachineLoad.BusyCores}");
        var list = measured.ToList();
        foreach ((string what, MachineLoad load) in list.Where(m => m.Load.Busy))
        {
            yield return string.Create(c,
                $"warning: the machine was busy during {what}: other processes took {load.OtherCores:F2} cores on average (busy above {MachineLoad.BusyCores}), so its figures are unreliable");
        }
        foreach (string reason in list.Select(m => m.Load.UnknownReason).OfType<string>().Distinct())
        {
            yield return $"load unknown: {reason}";
        }
    }

    /// <summary>Writes <c>"load": {…}</c>: the load averages and other processes' cores (null when unknown), the
    /// seconds measured, busy, and why the load is unknown where it is.</summary>
    public static void Write(Utf8JsonWriter w, MachineLoad load)
    {
        w.WriteStartObject("load");
        w.WriteNumberOrNull("load_average_start", load.LoadAverageStart);
        w.WriteNumberOrNull("load_average_end", load.LoadAverageEnd);
        w.WriteNumberOrNull("other_processes_cores", load.OtherCores);
        w.WriteNumber("seconds", load.Seconds);
        w.WriteNumber("busy_above_cores", MachineLoad.BusyCores);
        w.WriteBoolean("busy", load.Busy);
        if (load.UnknownReason is string reason)
        {
            w.WriteString("unknown", reason);
        }
        w.WriteEndObject();
    }
}
