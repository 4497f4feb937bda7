namespace FastNet.Kernels;

/// <summary>
/// What a backend that computes on a separate device reports about itself, so benchmarks can show it next to their
/// timings, and runs can check their sizes against the device's memory, without knowing the backend's type.
/// </summary>
public interface IDeviceCounters
{
    /// <summary>Device memory the backend allocated and holds now, in bytes.</summary>
    long DeviceBytesInUse { get; }

    /// <summary>Device memory free now, in bytes, as the driver reports it: what new buffers can still take.</summary>
    long DeviceFreeBytes { get; }

    /// <summary>Kernels launched since the backend was built. Each launch costs host time whatever its size, so
    /// launches per step bound how fast small steps can go.</summary>
    long KernelLaunches { get; }
}
