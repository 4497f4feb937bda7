using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>The counting decorator the backend launches through.</summary>
public sealed class LaunchCounterTests
{
    [Fact]
    public void ACountedLauncherPassesItsArgumentsThroughAndCountsEachCall()
    {
        var counter = new LaunchCounter();
        var received = new List<(int, float, string)>();
        Action<int, float, string> counted = counter.Counting<Action<int, float, string>>(
            (i, x, s) => received.Add((i, x, s)));
        counted(1, 0.5f, "a");
        counted(-7, float.NaN, "b");
        Assert.Equal([(1, 0.5f, "a"), (-7, float.NaN, "b")], received);
        Assert.Equal(2, counter.Launches);
    }

    [Fact]
    public void ALaunchThatThrowsIsNotCounted()
    {
        var counter = new LaunchCounter();
        Action<int> counted = counter.Counting<Action<int>>(_ => throw new InvalidOperationException("refused"));
        Assert.Throws<InvalidOperationException>(() => counted(3));
        Assert.Equal(0, counter.Launches);
    }
}
