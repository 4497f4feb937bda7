using System.Globalization;
using System.Text.Json;
using FastNet.Kernels.Cpu;

namespace FastNet.Cli.Reporting;

/// <summary>
/// The load latency a <c>fastnet bench</c> run measured at its start (<see cref="CacheLatency"/>): besides the FMA
/// peak, the other thing about the machine that its rates follow. A rate that waits on loads (per example) falls with
/// it while the FMA peak holds, so a low figure beside a high latency is the machine's slow stretch, not the code.
/// </summary>
/// <param name="Nanoseconds">One load's latency through the probe's working set.</param>
internal readonly record struct LoadLatency(double Nanoseconds)
{
    /// <summary>The tables' second line.</summary>
    public string Header => string.Create(CultureInfo.InvariantCulture,
        $"load latency measured here: {Nanoseconds:F2} ns a load, chained through {CacheLatency.Bytes / 1024} KiB in a random order")
        + " (higher in the machine's slow stretches, when rates that wait on loads fall)";

    /// <summary>Writes <c>"load_latency_ns"</c>.</summary>
    public void Write(Utf8JsonWriter w) => w.WriteNumber("load_latency_ns", Nanoseconds);
}
