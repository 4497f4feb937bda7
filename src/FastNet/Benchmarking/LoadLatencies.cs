namespace FastNet.Benchmarking;

/// <summary>
/// The load latency probed right after each timed repeat of one measurement (<see cref="ILatencyProbe"/>), in
/// nanoseconds. The machine's slow stretches raise it while the FMA peak holds, and nothing in <c>/proc</c> shows
/// them, so a measurement whose <see cref="Median"/> stands well above the lowest a run saw ran in one of them.
/// </summary>
/// <param name="PerRepeat">One probe per repeat, in order.</param>
public sealed record LoadLatencies(double[] PerRepeat)
{
    /// <summary>
    /// A measurement is slow when its median stands more than this fraction above the lowest of the run. Measured on a
    /// 2-core AVX-512 Zen 5 virtual machine: 30 probes in a steady minute lay within 4.69–4.97 ns (±3%), while its slow
    /// stretches raised the latency 20–25% (4.8 to 5.7–6.1 ns, per example 29% slower).
    /// </summary>
    public const double SlowAbove = 0.10;

    /// <summary>The middle probe (mean of the two middle ones for an even count).</summary>
    public double Median => WorkloadTimer.Median(PerRepeat);

    /// <summary>Whether <see cref="Median"/> stands more than <see cref="SlowAbove"/> above <paramref name="lowest"/>,
    /// the lowest latency the run measured.</summary>
    public bool SlowAgainst(double lowest) => Median > lowest * (1 + SlowAbove);
}
