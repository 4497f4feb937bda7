using FastNet.Kernels.Gpu;
using FastNet.Kernels.Reference;
using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The backends under test: every registered CPU backend that can run here (the GPU backend has its own suite), plus
/// the SIMD backend pinned to each narrower vector width and to one thread, so every code path runs on this machine
/// without restarting the process.
/// </summary>
public static class Backends
{
    /// <summary>Names for theory data.</summary>
    public static TheoryData<string> Candidates
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in Names())
            {
                data.Add(name);
            }
            return data;
        }
    }

    /// <summary>Every candidate name.</summary>
    public static IEnumerable<string> Names()
    {
        foreach (BackendDescriptor descriptor in FastNet.Backends.Available.Where(d => !IsGpu(d.Name)))
        {
            yield return descriptor.Name;
        }
        foreach (VectorWidth width in VectorWidths.Available.Skip(1))
        {
            yield return $"simd:{width}";
        }
        yield return "simd:1thread";
    }

    /// <summary>Builds the candidate called <paramref name="name"/>.</summary>
    public static IBackend Create(string name) => name switch
    {
        "simd:1thread" => SimdBackend.Create(1, VectorWidths.Best),
        _ when name.StartsWith("simd:", StringComparison.Ordinal) =>
            SimdBackend.Create(Environment.ProcessorCount, Enum.Parse<VectorWidth>(name["simd:".Length..])),
        _ => FastNet.Backends.Create(name),
    };

    private static bool IsGpu(string name) => name is GpuBackendInfo.Name or GpuBackendInfo.OwnKernelsName;

    /// <summary>The yardstick.</summary>
    public static ReferenceBackend Reference() => new();
}
