using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// The backends the whole run shares, one per tiling, on the device <see cref="TestDevice"/> selects: ILGPU's CPU
/// accelerator by default, which is one per process, so its kernels are compiled once for all of them.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    public GpuFixture()
    {
        Backend = TestDevice.CreateBackend();
        try
        {
            LargeTiles = TestDevice.CreateBackend(o => o with { Tiling = GemmTiling.Large, ForceOwnKernels = true });
            WideTiles = TestDevice.CreateBackend(o => o with { Tiling = GemmTiling.Wide, ForceOwnKernels = true });
        }
        catch
        {
            Backend.Dispose();
            LargeTiles?.Dispose();
            throw;
        }
    }

    /// <summary>Automatic tiling: 64×64 tiles below 128 rows or columns (on one multiprocessor).</summary>
    public GpuBackend Backend { get; }

    /// <summary>The 128×128 kernels forced, so tiny shapes exercise them too.</summary>
    public GpuBackend LargeTiles { get; }

    /// <summary>The 128×256 vector kernels forced wherever the operands fit them (the others fall back).</summary>
    public GpuBackend WideTiles { get; }

    /// <summary>The backend for a tiling: <see cref="GemmTiling.Auto"/> is <see cref="Backend"/>.</summary>
    public GpuBackend Get(GemmTiling tiling) => tiling switch
    {
        GemmTiling.Large => LargeTiles,
        GemmTiling.Wide => WideTiles,
        _ => Backend,
    };

    public void Dispose()
    {
        Backend.Dispose();
        LargeTiles.Dispose();
        WideTiles.Dispose();
    }
}

/// <summary>Every test class that launches kernels shares the fixture and runs one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>
{
    public const string Name = "gpu backend";
}

/// <summary>Deterministic test data.</summary>
public static class Data
{
    public static float[] Uniform(Random random, int length, float low = -1f, float high = 1f)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = low + (high - low) * random.NextSingle();
        }
        return values;
    }

    /// <summary>One-hot rows of <paramref name="outputs"/> with a random hot index.</summary>
    public static float[] OneHot(Random random, int batch, int outputs)
    {
        float[] values = new float[batch * outputs];
        for (int r = 0; r < batch; r++)
        {
            values[r * outputs + random.Next(outputs)] = 1f;
        }
        return values;
    }
}
