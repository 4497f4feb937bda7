using System.Globalization;
using FastNet.Kernels.Cpu;

namespace FastNet.Cli.Reporting;

/// <summary>
/// The FP32 FMA peaks a <c>fastnet bench</c> run is set against. <see cref="Assumed"/>, the threads × the one-thread
/// peak, divides every "% peak": a probe of all threads at once reads low whenever another process holds a core. That
/// probe is reported beside it all the same, because it is what the cores reach together when nothing else runs. Where
/// cores slow each other down (a shared power budget, or a virtual machine's neighbours on the same host), no kernel
/// on all threads reaches the assumed peak, and the gap between the two says by how much.
/// </summary>
/// <param name="OneThread">GFLOP/s of one thread alone.</param>
/// <param name="Threads">Threads the peak assumes: the process's logical cores.</param>
/// <param name="AllAtOnce">GFLOP/s of <paramref name="Threads"/> threads probing at the same time.</param>
internal readonly record struct FmaPeaks(double OneThread, int Threads, double AllAtOnce)
{
    /// <summary>The denominator of "% peak": <see cref="Threads"/> × <see cref="OneThread"/>.</summary>
    public double Assumed => Threads * OneThread;

    /// <summary>Probes this machine: one thread, then all of them at once (each the best of five runs).</summary>
    public static FmaPeaks Measure()
    {
        int threads = Environment.ProcessorCount;
        return new FmaPeaks(FmaPeak.Measure(1), threads, FmaPeak.Measure(threads));
    }

    /// <summary>The tables' first line.</summary>
    public string Header(int repeats)
    {
        var c = CultureInfo.InvariantCulture;
        string together = Threads > 1
            ? string.Create(c, $"; all {Threads} at once: {AllAtOnce:F1}, {100 * AllAtOnce / Assumed:F0}% of it")
            : "";
        return string.Create(c, $"FP32 FMA peak measured here: {Assumed:F1} GFLOP/s ({Threads} threads x the "
            + $"one-thread peak{together}); medians of {repeats} repeats");
    }
}
