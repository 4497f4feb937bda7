namespace FastNet.Kernels.Simd;

/// <summary>
/// Whether one kind of short job (a batch-1 layer's pass over W) runs on all the pool's threads or on the calling
/// thread alone, chosen by timing both now and then. Every <see cref="Period"/> calls a trial runs
/// <see cref="TrialCalls"/> calls shared, then as many alone, and keeps the way whose calls came faster, one start to
/// the next: that interval is a whole training step where the job runs once a step, so it also counts what the
/// job's threads cost the work between calls (timing the job alone chose the shared way where whole steps were
/// slower with it). The first <see cref="WarmUpCalls"/> calls of each way are not counted, as they move W's lines to
/// the cores that now read them.
/// <para>
/// Why measure: such a job takes a few microseconds, and whether the second core pays for waking it and for the
/// lines that cross between the cores depends on where the host puts the virtual CPUs. On a 2-core AVX-512 Zen 5
/// virtual machine, one thread was faster per example in most processes (about 1.1–1.3×) and two threads in others
/// (1.2–1.5×), and one process switched from one to the other while it ran. Which threads run a job never changes
/// its result, so the choice never changes the bits.
/// </para>
/// </summary>
internal sealed class MeasuredTaskCount
{
    /// <summary>Calls from the start of one trial to the start of the next.</summary>
    public const int Period = 4096;

    /// <summary>Calls each way in a trial.</summary>
    public const int TrialCalls = 32;

    /// <summary>Calls at the start of each way that are not counted.</summary>
    public const int WarmUpCalls = 8;

    private int _call;
    private long _sharedStart, _sharedTicks, _aloneStart;
    private bool _shared = true;

    /// <summary>Whether <see cref="Start"/> needs the time for the call about to start.</summary>
    public bool WantsTime => _call is WarmUpCalls or TrialCalls or TrialCalls + WarmUpCalls or 2 * TrialCalls;

    /// <summary>Starts a call at <paramref name="timestamp"/> (any clock; read only where <see cref="WantsTime"/>)
    /// and returns its tasks: <paramref name="parallel"/>, or 1 for the calling thread alone.</summary>
    public int Start(int parallel, long timestamp)
    {
        int phase = _call;
        switch (phase)
        {
            case WarmUpCalls:
                _sharedStart = timestamp;
                break;
            case TrialCalls:
                _sharedTicks = timestamp - _sharedStart;
                break;
            case TrialCalls + WarmUpCalls:
                _aloneStart = timestamp;
                break;
            case 2 * TrialCalls:
                _shared = _sharedTicks <= timestamp - _aloneStart;
                break;
        }
        _call = phase + 1 == Period ? 0 : phase + 1;
        return phase < TrialCalls || (phase >= 2 * TrialCalls && _shared) ? parallel : 1;
    }
}
