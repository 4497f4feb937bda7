using FastNet.Benchmarking;
using FastNet.Kernels;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>The bound on a measurement's repeats, whose figures are allocated before the first repeat.</summary>
public class RepeatCountTests
{
    [Fact]
    public void CountsFromOneToTheBoundAreAcceptedAndOthersRefused()
    {
        RepeatCount.Check(1);
        RepeatCount.Check(RepeatCount.Max);

        Assert.Throws<ArgumentOutOfRangeException>(() => RepeatCount.Check(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RepeatCount.Check(RepeatCount.Max + 1));
    }

    [Fact]
    public void TheTimersRefuseACountInTheBillionsBeforeAllocatingForIt()
    {
        using IBackend backend = Backends.Create("reference");

        Assert.Throws<ArgumentOutOfRangeException>(() => GemmTimer.Run(backend, 4, int.MaxValue, 0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkloadTimer.Run(backend, Workload.Named[0], int.MaxValue, 0.01));
    }
}
