using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastNet.Kernels.Cpu;

/// <summary>
/// Measures how long one load takes here from a working set of <see cref="Bytes"/>, more than any L1 and within the L2
/// of current cores: a chain of loads, each address read from the line before, visiting the lines in a random order,
/// so that neither the prefetchers nor overlapping misses hide the wait. Rates that wait on such loads (per example,
/// whose weights stream from L2 with little arithmetic per line) follow it where the FMA peak does not: on a 2-core
/// AVX-512 Zen 5 virtual machine, stretches in which it rose from 5.0 to 6.1 ns slowed per example by 29% while the FMA
/// probe held its speed. The chain is built once, so a probe can be taken between the repeats of a benchmark without
/// allocating.
/// </summary>
public sealed unsafe class CacheLatency : IDisposable
{
    /// <summary>The working set the chain runs through.</summary>
    public const int Bytes = 512 * 1024;

    private const int LineBytes = 64;
    private const int Chains = 5;

    private byte* _memory;

    // where the chain's last address goes, so the loads are not optimized away
    private nint _sink;

    /// <summary>Lays out the chain (512 KiB of native memory, held until <see cref="Dispose"/>).</summary>
    public CacheLatency()
    {
        int lines = Bytes / LineBytes;
        int[] next = Cycle(lines, seed: 3);
        _memory = (byte*)NativeMemory.AlignedAlloc(Bytes, LineBytes);
        for (int i = 0; i < lines; i++)
        {
            *(nint*)(_memory + ((nint)i * LineBytes)) = (nint)(_memory + ((nint)next[i] * LineBytes));
        }
        _sink = (nint)_memory;
    }

    /// <summary>Probes once with a chain of its own: <see cref="Measure"/> of a new one.</summary>
    public static double MeasureOnce(int loads = 400_000)
    {
        using var probe = new CacheLatency();
        return probe.Measure(loads);
    }

    /// <summary>Nanoseconds per load: the median of five chains of <paramref name="loads"/> loads, after one pass over
    /// every line to bring them into the cache. Allocates nothing.</summary>
    public double Measure(int loads = 400_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(loads);
        ObjectDisposedException.ThrowIf(_memory == null, this);
        _sink = Chase(_sink, Bytes / LineBytes);
        Span<double> nanoseconds = stackalloc double[Chains];
        for (int run = 0; run < Chains; run++)
        {
            long start = Stopwatch.GetTimestamp();
            _sink = Chase(_sink, loads);
            nanoseconds[run] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / loads;
        }
        nanoseconds.Sort();
        return nanoseconds[Chains / 2];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        NativeMemory.AlignedFree(_memory);
        _memory = null;
    }

    /// <summary>
    /// A random cyclic permutation of <paramref name="lines"/> lines (Sattolo's algorithm): following it from any line
    /// visits every line once before coming back, so the chain never closes into a smaller loop that a smaller cache
    /// would hold.
    /// </summary>
    internal static int[] Cycle(int lines, int seed)
    {
        int[] next = [.. Enumerable.Range(0, lines)];
        var random = new Random(seed);
        for (int i = lines - 1; i > 0; i--)
        {
            int j = random.Next(i);
            (next[i], next[j]) = (next[j], next[i]);
        }
        return next;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint Chase(nint from, int loads)
    {
        nint p = from;
        for (int i = 0; i < loads; i++)
        {
            p = *(nint*)p;
        }
        return p;
    }
}
