using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The SIMD backend at batch &gt; 1 gives the same bits whatever its thread count: no reduction is split across threads
/// there (batch 1 has its own test, <see cref="PerExampleThreadingTests"/>).
/// </summary>
public class SimdThreadCountTests
{
    [Fact]
    public void SimdBatchResultsDoNotDependOnTheThreadCount()
    {
        using var one = SimdBackend.Create(1, VectorWidths.Best);
        using var three = SimdBackend.Create(3, VectorWidths.Best);
        Assert.Equal(DeterminismTests.Run(one, BackendsUnderTest.Cpu.Determinism),
            DeterminismTests.Run(three, BackendsUnderTest.Cpu.Determinism));
    }
}
