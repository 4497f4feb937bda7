using FastNet.Kernels.Cpu;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The cache-latency probe's chain must visit every line of its working set before it comes back: a permutation with
/// several cycles would run the loads round a smaller loop, which a smaller cache holds, and report that cache's
/// latency instead. A probe runs between a benchmark's timed repeats, whose allocations are counted: it allocates
/// nothing.
/// </summary>
public class CacheLatencyTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 5)]
    [InlineData(8192, 3)]
    [InlineData(8192, 17)]
    public void TheChainVisitsEveryLineOnceBeforeComingBack(int lines, int seed)
    {
        int[] next = CacheLatency.Cycle(lines, seed);
        Assert.Equal(lines, next.Length);
        var visited = new bool[lines];
        int line = 0;
        for (int step = 0; step < lines; step++)
        {
            Assert.False(visited[line], $"line {line} reached again after {step} of {lines} steps");
            visited[line] = true;
            line = next[line];
        }
        Assert.Equal(0, line);
    }

    [Fact]
    public void TheOrderIsNotTheLinesInTurn()
    {
        // a chain through the lines in address order would let the prefetchers fetch ahead and hide the latency
        int[] next = CacheLatency.Cycle(8192, 3);
        int sequential = Enumerable.Range(0, next.Length).Count(i => next[i] == (i + 1) % next.Length);
        Assert.True(sequential < 16, $"{sequential} of {next.Length} lines lead to the next one in memory");
    }

    [Fact]
    public void AProbeAllocatesNothingAndRefusesOnceDisposed()
    {
        var probe = new CacheLatency();
        probe.Measure(1000); // compiled before the count
        // the cleanest of up to three calls: the runtime bills one-off work, such as a method's move to optimized code,
        // to the thread that sets it off (8,176 bytes in one whole-suite run), and no later call repeats it, where an
        // allocation of the probe's own would show in every call
        long cleanest = long.MaxValue;
        double ns = double.NaN;
        for (int call = 0; call < 3 && cleanest != 0; call++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ns = probe.Measure(1000);
            cleanest = Math.Min(cleanest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, cleanest);
        Assert.True(double.IsFinite(ns) && ns > 0, $"{ns} ns a load");
        probe.Dispose();
        Assert.Throws<ObjectDisposedException>(() => probe.Measure(1000));
    }
}
