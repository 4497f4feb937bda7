using System.Globalization;

namespace FastNet.Kernels.Cpu;

/// <summary>
/// How many threads a CPU backend computes on by default: every processor this process may run on, unless other
/// ranks of an MPI job on the same host may run on the same ones. A launcher that binds each rank to its own cores
/// (Open MPI's default for two ranks) already narrows what the process may use; one that binds nothing (MPICH's
/// Hydra by default), or binds several ranks to one socket, leaves each rank every processor of the host or socket,
/// and a thread per processor in every rank would then put two or more busy threads on each core. So the default is
/// the processors this process may use, but no more than its share of the host: the host's processors over the
/// ranks on it.
/// </summary>
public static class CpuThreads
{
    /// <summary>The variables by which a launcher announces the number of ranks on this host: Open MPI's, then
    /// Hydra's (MPICH).</summary>
    public static readonly string[] LocalSizeVariables = ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"];

    private const string OnlineFile = "/sys/devices/system/cpu/online";

    /// <summary>The default for this process: <see cref="For"/> of what it may use, the host's online processors and
    /// the ranks the launcher put on this host.</summary>
    public static int Default => For(Environment.ProcessorCount, OnlineProcessors(), LocalRanks(Environment.GetEnvironmentVariable));

    /// <summary>
    /// max(1, min(<paramref name="usable"/>, <paramref name="online"/> / <paramref name="localRanks"/>)): unbound
    /// ranks share the host's processors, ranks bound to their own cores keep them, and more ranks than processors get
    /// one thread each. Without a launcher, or where the host's processors are unknown, all that may be used.
    /// </summary>
    public static int For(int usable, int? online, int? localRanks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(usable, 1);
        if (localRanks is not int ranks || ranks <= 1 || online is not int host || host < 1)
        {
            return usable;
        }
        return Math.Max(1, Math.Min(usable, host / ranks));
    }

    /// <summary>The ranks on this host that a launcher announces in <paramref name="environment"/>, or null.</summary>
    public static int? LocalRanks(Func<string, string?> environment) =>
        LauncherEnvironment.First(environment, LocalSizeVariables, minimum: 1)?.Value;

    /// <summary>The number of processors in a Linux CPU list such as "0-3,8-11" (the kernel's
    /// <c>/sys/devices/system/cpu/online</c>); null when it is not one.</summary>
    public static int? CountList(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return null;
        }
        int count = 0;
        foreach (string part in list.Trim().Split(','))
        {
            string[] ends = part.Split('-');
            if (ends.Length is < 1 or > 2
                || !int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(ends[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || last < first)
            {
                return null;
            }
            count += last - first + 1;
        }
        return count;
    }

    // the host's online processors, whatever this process's affinity; null where the kernel does not say
    private static int? OnlineProcessors()
    {
        try
        {
            return File.Exists(OnlineFile) ? CountList(File.ReadAllText(OnlineFile)) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
