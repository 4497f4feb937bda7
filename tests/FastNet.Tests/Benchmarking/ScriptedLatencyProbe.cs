using FastNet.Benchmarking;

namespace FastNet.Tests.Benchmarking;

/// <summary>A load latency probe that reads the given nanoseconds in turn, the last one from then on, and counts its
/// readings.</summary>
internal sealed class ScriptedLatencyProbe(params double[] nanoseconds) : ILatencyProbe
{
    public int Reads { get; private set; }

    public double Nanoseconds() => nanoseconds[Math.Min(Reads++, nanoseconds.Length - 1)];
}
