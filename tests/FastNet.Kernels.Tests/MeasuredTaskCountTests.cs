using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="MeasuredTaskCount"/> on a clock the test moves by each call's duration: every trial runs its calls
/// shared, then alone; the way whose calls came faster, start to start and past the warm-up calls, holds until the
/// next trial; and only the starts it asks the time for are read.
/// </summary>
public class MeasuredTaskCountTests
{
    private const int Parallel = 2;
    private const int Trial = MeasuredTaskCount.TrialCalls;

    [Theory]
    [InlineData(10, 7, 7, 10)] // alone faster, then shared faster
    [InlineData(7, 10, 10, 7)] // shared, then alone
    [InlineData(9, 9, 5, 5)] // ties keep the shared way
    public void EachTrialsFasterWayHoldsUntilTheNextTrial(long shared1, long alone1, long shared2, long alone2)
    {
        var count = new MeasuredTaskCount();
        long clock = 0;
        foreach ((long shared, long alone) in new[] { (shared1, alone1), (shared2, alone2) })
        {
            int chosen = shared <= alone ? Parallel : 1;
            for (int call = 0; call < MeasuredTaskCount.Period; call++)
            {
                int tasks = count.Start(Parallel, count.WantsTime ? clock : long.MinValue);
                Assert.Equal(call < Trial ? Parallel : call < 2 * Trial ? 1 : chosen, tasks);
                clock += tasks == Parallel ? shared : alone;
            }
        }
    }

    [Fact]
    public void TheWarmUpCallsOfEachWayAreNotCounted()
    {
        var count = new MeasuredTaskCount();
        long clock = 0;
        for (int call = 0; call < 3 * Trial; call++)
        {
            int tasks = count.Start(Parallel, count.WantsTime ? clock : long.MinValue);
            if (call == 3 * Trial - 1)
            {
                Assert.Equal(Parallel, tasks);
            }
            bool warmUp = call % Trial < MeasuredTaskCount.WarmUpCalls;
            // shared: slow while W's lines move, then faster than alone, which is fast only while warming up
            clock += call < Trial ? (warmUp ? 1000 : 5) : call < 2 * Trial ? (warmUp ? 1 : 7) : 5;
        }
    }

    [Fact]
    public void ThePeriodAsksTheTimeFourTimes()
    {
        var count = new MeasuredTaskCount();
        int asked = 0;
        for (int call = 0; call < 2 * MeasuredTaskCount.Period; call++)
        {
            asked += count.WantsTime ? 1 : 0;
            count.Start(Parallel, call);
        }
        Assert.Equal(8, asked);
    }
}
