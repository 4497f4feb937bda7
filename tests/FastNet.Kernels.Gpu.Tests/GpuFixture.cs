using FastNet.Kernels.Tests;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// The backends the whole run shares (compiling the kernels is the slow part), on the device <see cref="TestDevice"/>
/// selects: the same instances the shared suites use (<see cref="BackendsUnderTest"/>), disposed when the process
/// ends.
/// </summary>
public sealed class GpuFixture
{
    /// <summary>Automatic tiling: 64×64 tiles below 128 rows or columns (on one multiprocessor).</summary>
    public GpuBackend Backend => BackendsUnderTest.Gpu(GemmTiling.Auto);

    /// <summary>The 128×128 kernels forced, so tiny shapes exercise them too.</summary>
    public GpuBackend LargeTiles => BackendsUnderTest.Gpu(GemmTiling.Large);

    /// <summary>The 128×256 vector kernels forced wherever the operands fit them (the others fall back).</summary>
    public GpuBackend WideTiles => BackendsUnderTest.Gpu(GemmTiling.Wide);
}

/// <summary>Every test class that launches kernels on the shared backends runs in this collection, one at a
/// time.</summary>
[CollectionDefinition(Name)]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>
{
    public const string Name = "gpu backend";
}
