using System.Globalization;
using FastNet.Benchmarking;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>
/// Memory new buffers can still take, on the host and on a backend's device.
/// <para>
/// The host figure is the smaller of two bounds, since each misses what the other sees. Linux's MemAvailable
/// (<c>/proc/meminfo</c>) is what new allocations can take without swapping, other processes and reclaimable cache
/// accounted for, but it knows nothing of a container's memory limit. The runtime's
/// <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/> honours that limit (and a configured heap limit) but is a
/// total, so what this process already holds resident is taken off it. Where there is no <c>/proc/meminfo</c> only
/// the second bound is known.
/// </para>
/// </summary>
public static class AvailableMemory
{
    private const string MemInfoPath = "/proc/meminfo";

    /// <summary>Bytes new host allocations can take now.</summary>
    public static long HostBytes()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - ResidentMemory.CurrentBytes();
        return Math.Max(0, MemAvailableBytes() is long available ? Math.Min(available, limit) : limit);
    }

    /// <summary>Bytes new buffers on <paramref name="backend"/>'s device can take now, or null when the backend
    /// computes in host memory.</summary>
    public static long? DeviceBytes(IBackend backend) => backend is IDeviceCounters device ? device.DeviceFreeBytes : null;

    // "MemAvailable:   16316652 kB" → 16316652·1024, or null without the file or the line (kernels before 3.14)
    private static long? MemAvailableBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(MemInfoPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        const string name = "MemAvailable:";
        string? line = lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        string[]? parts = line?[name.Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts is [string value, "kB"] && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long kib)
            ? kib * 1024
            : null;
    }
}
