using FastNet.Benchmarking;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>The bytes per step a benchmark reports: a step that allocates shows in every window, a one-off does not
/// make a clean step read as allocating, and set-up between timed stretches is nobody's step.</summary>
public class StepAllocationsTests
{
    private const int Windows = 4;

    // kept reachable so the allocations cannot be optimized away
    private static object? _kept;

    [Fact]
    public void AStepThatAllocatesShowsInEveryWindow()
    {
        var allocations = new StepAllocations();
        allocations.Mark(0);
        for (int i = 0; i < Windows * StepAllocations.WindowSteps; i++)
        {
            _kept = new byte[16];
            allocations.Mark();
        }
        Assert.True(allocations.BytesPerStep >= 16, $"{allocations.BytesPerStep} bytes a step");
    }

    [Fact]
    public void AOneOffAllocationInOneWindowIsNotAStepsAllocation()
    {
        var allocations = new StepAllocations();
        allocations.Mark(0);
        for (int i = 0; i < Windows * StepAllocations.WindowSteps; i++)
        {
            if (i == StepAllocations.WindowSteps + 7)
            {
                _kept = new byte[4096];
            }
            allocations.Mark();
        }
        Assert.Equal(0, allocations.BytesPerStep);
    }

    [Fact]
    public void FewerStepsThanAWindowGiveTheMeanOverThemAll()
    {
        var allocations = new StepAllocations();
        allocations.Mark(0);
        for (int i = 0; i < StepAllocations.WindowSteps / 2; i++)
        {
            if (i == 3)
            {
                _kept = new byte[4096];
            }
            allocations.Mark();
        }
        Assert.InRange(allocations.BytesPerStep, 4096.0 / (StepAllocations.WindowSteps / 2),
            2 * 4096.0 / (StepAllocations.WindowSteps / 2));
    }

    [Fact]
    public void MarksCountTheStepsTheyCloseAndAPauseLeavesItsStretchOut()
    {
        var allocations = new StepAllocations();
        allocations.Mark(0);
        for (int i = 0; i < Windows; i++)
        {
            // set-up before each stretch of steps, which allocates and is not counted
            allocations.Pause();
            _kept = new byte[4096];
            allocations.Mark(0);
            // then a window's worth of steps marked eight at a time, each allocating its 32-byte array's share
            for (int group = 0; group < StepAllocations.WindowSteps / 8; group++)
            {
                _kept = new byte[8 * 32];
                allocations.Mark(8);
            }
        }
        // a byte[256] is 256 bytes of data plus its header: at least 32 bytes a step, under 40
        Assert.InRange(allocations.BytesPerStep, 32, 40);
    }
}
