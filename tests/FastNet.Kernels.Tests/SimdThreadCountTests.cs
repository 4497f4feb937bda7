using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The SIMD backend at batch &gt; 1 gives the same bits whatever its thread count: no reduction is split across threads
/// there (at batch 1 the forward pass adds per-thread partial sums in thread order, so its bits depend on the thread
/// count, though never on scheduling).
/// </summary>
public class SimdThreadCountTests
{
    [Fact]
    public void SimdBatchResultsDoNotDependOnTheThreadCount()
    {
        using var one = new SimdBackend(1, VectorWidths.Best);
        using var three = new SimdBackend(3, VectorWidths.Best);
        Assert.Equal(DeterminismTests.Run(one, BackendsUnderTest.Cpu.Determinism),
            DeterminismTests.Run(three, BackendsUnderTest.Cpu.Determinism));
    }
}
