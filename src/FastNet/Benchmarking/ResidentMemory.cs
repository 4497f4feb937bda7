using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace FastNet.Benchmarking;

/// <summary>
/// This process's resident memory (RSS). On Linux it comes from <c>/proc/self/status</c>: VmRSS now, and VmHWM, the
/// kernel's high-water mark, which writing "5" to <c>/proc/self/clear_refs</c> resets to the current RSS (Linux 4.0
/// and later), so a peak can be taken per workload. Elsewhere only the current working set is known.
/// </summary>
public static class ResidentMemory
{
    private const string StatusPath = "/proc/self/status", ClearRefsPath = "/proc/self/clear_refs";

    // a reset that leaves the mark more than this above the RSS it was reset to did not take effect
    private const long ResetSlackBytes = 4 << 20;

    /// <summary>
    /// Frees what is no longer referenced and hands freed pages back to the kernel: a compacting, decommitting
    /// garbage collection, then (with glibc) <c>malloc_trim</c>, whose heap would otherwise keep the freed native
    /// buffers of an earlier workload resident. After this the RSS counts what is live.
    /// </summary>
    public static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers(); // finalizers free native buffers that were never disposed
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // not glibc (musl has no malloc_trim): freed native memory may stay resident
            }
        }
    }

    /// <summary>The resident memory now, in bytes.</summary>
    public static long CurrentBytes()
    {
        if (ReadStatus() is { } status)
        {
            return status.Rss;
        }
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>
    /// Resets the high-water mark to the current RSS. Returns null when it worked, else why there is no peak per
    /// workload here (not Linux, <c>/proc/self/clear_refs</c> missing or not writable, or the kernel ignored the
    /// request), for the report to print in place of the peak.
    /// </summary>
    public static string? ResetPeak()
    {
        if (!OperatingSystem.IsLinux())
        {
            return $"the peak is reset per workload through Linux's {ClearRefsPath}; this is {RuntimeInformation.OSDescription}";
        }
        if (ReadStatus() is null)
        {
            return $"{StatusPath} has no VmRSS and VmHWM lines to read";
        }
        try
        {
            using var file = new FileStream(ClearRefsPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            file.Write("5"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot reset the peak: writing 5 to {ClearRefsPath} failed ({e.Message}); it needs Linux 4.0 or later "
                + "and a /proc that allows it (some sandboxes do not)";
        }
        (long rss, long peak) = ReadStatus()!.Value;
        return peak <= rss + ResetSlackBytes
            ? null
            : $"writing 5 to {ClearRefsPath} did not reset VmHWM ({peak >> 20} MiB with {rss >> 20} MiB resident)";
    }

    /// <summary>The high-water mark since the last <see cref="ResetPeak"/> in bytes, or null where VmHWM cannot be
    /// read.</summary>
    public static long? PeakBytes() => ReadStatus()?.Peak;

    /// <summary>
    /// The anonymous part of the resident memory (RssAnon: heaps and buffers, not mapped files) in bytes, or null where
    /// it cannot be read. Without swap the kernel cannot take these pages back, while mapped files' pages (the runtime's
    /// code) may be reclaimed at any time, so this is the part of a baseline that stays resident.
    /// </summary>
    public static long? AnonymousBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            return Field(File.ReadAllLines(StatusPath), "RssAnon:");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // VmRSS and VmHWM, or null when the file or either line is missing
    private static (long Rss, long Peak)? ReadStatus()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        string[] lines;
        try
        {
            lines = File.ReadAllLines(StatusPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        long? rss = Field(lines, "VmRSS:"), peak = Field(lines, "VmHWM:");
        return rss is long r && peak is long p ? (r, p) : null;
    }

    // "VmHWM:\t    1688 kB" → 1688·1024
    private static long? Field(string[] lines, string name)
    {
        string? line = lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        string[]? parts = line?[name.Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts is [string value, "kB"] && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long kib)
            ? kib * 1024
            : null;
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
