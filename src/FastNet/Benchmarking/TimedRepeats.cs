using System.Diagnostics;
using FastNet.Kernels;

namespace FastNet.Benchmarking;

/// <summary>What <see cref="TimedRepeats.Run"/> measured.</summary>
/// <param name="CallsPerSecond">Each repeat's calls per second.</param>
/// <param name="Calls">The calls timed in all.</param>
/// <param name="AllocatedBytesPerCall">The managed bytes a timed call (with its share of the synchronizations)
/// allocated on the calling thread and the backend's workers, as <see cref="StepAllocations"/> counts them.</param>
/// <param name="Load">The machine's load during the timed repeats.</param>
/// <param name="Latencies">The load latency probed after each repeat; null without a probe.</param>
internal readonly record struct RepeatTimes(double[] CallsPerSecond, long Calls, double AllocatedBytesPerCall,
    MachineLoad Load, LoadLatencies? Latencies);

/// <summary>
/// The timing loop every FastNet benchmark shares: a warm-up long enough for tiered compilation to replace the
/// kernels' first, unoptimized code, then repeats of at least a minimum duration each. A device backend's work is
/// asynchronous, so the backend is synchronized every few calls and before each repeat's clock is read. With a latency
/// probe, the machine's load latency is probed after each repeat, outside its time.
/// </summary>
internal static class TimedRepeats
{
    private const double WarmupSeconds = 0.5;
    private const int CallsBetweenSynchronizations = 8;

    /// <summary>Times <paramref name="repeats"/> repeats of <paramref name="call"/>, counting allocations on this
    /// thread and <paramref name="backend"/>'s workers and reading the machine's load from <paramref name="load"/>
    /// and, when given, its load latency from <paramref name="latency"/>. <paramref name="timed"/>, when given, is
    /// told when the timed calls begin (after the warm-up) and end.</summary>
    public static RepeatTimes Run(Action call, Action synchronize, int repeats, double secondsPerRepeat,
        ILoadSampler load, ITimedCalls? timed = null, IBackend? backend = null, ILatencyProbe? latency = null)
    {
        RepeatCount.Check(repeats); // before the warm-up and the per-repeat arrays
        var warmup = Stopwatch.StartNew();
        for (int w = 0; w < 3 || warmup.Elapsed.TotalSeconds < WarmupSeconds; w++)
        {
            call();
            synchronize();
        }
        timed?.Begin();
        double[] rates = new double[repeats];
        double[]? latencies = latency is null ? null : new double[repeats];
        long calls = 0;
        CpuCounters? loadStart = load.Read();
        var allocations = new StepAllocations(backend);
        allocations.Mark(0);
        for (int r = 0; r < repeats; r++)
        {
            // timestamps, not a Stopwatch object: the timed loop itself allocates nothing
            long start = Stopwatch.GetTimestamp();
            int count = 0, marked = 0;
            do
            {
                call();
                count++;
                if (count % CallsBetweenSynchronizations == 0 || Stopwatch.GetElapsedTime(start).TotalSeconds >= secondsPerRepeat)
                {
                    synchronize();
                    allocations.Mark(count - marked);
                    marked = count;
                }
            }
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < secondsPerRepeat);
            synchronize();
            allocations.Mark(count - marked);
            rates[r] = count / Stopwatch.GetElapsedTime(start).TotalSeconds;
            calls += count;
            if (latencies is not null)
            {
                // after the repeat's clock stops; it takes about 10 ms and allocates nothing, so the next repeat's
                // allocations count as before
                latencies[r] = latency!.Nanoseconds();
            }
        }
        timed?.End();
        return new RepeatTimes(rates, calls, allocations.BytesPerStep,
            MachineLoad.Between(loadStart, load.Read(), load.UnknownReason),
            latencies is null ? null : new LoadLatencies(latencies));
    }
}

/// <summary>Told when a benchmark's timed calls begin and end, so that it can count what happens during them
/// alone.</summary>
public interface ITimedCalls
{
    /// <summary>The first timed call comes next.</summary>
    void Begin();

    /// <summary>The last timed call has returned (and the backend synchronized).</summary>
    void End();
}
