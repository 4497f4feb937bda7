using System.Runtime.InteropServices;

namespace FastNet.Distributed;

/// <summary>
/// The two families of MPI libraries FastNet binds to. They share the C API but spell its handles differently:
/// Open MPI's MPI_COMM_WORLD, MPI_FLOAT, MPI_BYTE and MPI_SUM are the addresses of exported globals, MPI_IN_PLACE is
/// (void*)1 and MPI_STATUS_IGNORE (MPI_Status*)0; MPICH's handles are 32-bit integer constants fixed by its ABI (shared
/// by Intel MPI, MVAPICH and Cray MPICH), MPI_IN_PLACE is (void*)−1 and MPI_STATUS_IGNORE (MPI_Status*)1.
/// </summary>
internal enum MpiFamily
{
    OpenMpi,
    Mpich,
}

/// <summary>Which MPI library a rank loads, and how its handles are spelled.</summary>
public static class MpiLibrary
{
    /// <summary>Set to a library's file name or path to load that one only (an MPI outside the system's library path,
    /// Intel MPI's libmpi.so.12, …).</summary>
    public const string OverrideVariable = "FASTNET_MPI_LIBRARY";

    /// <summary>What to install when no library loads.</summary>
    public const string Packages = "openmpi-bin (Open MPI's runtime, libopenmpi3) or mpich (libmpich12)";

    private static readonly string[] OpenMpiNames = ["libmpi.so.40"];
    private static readonly string[] MpichNames = ["libmpich.so.12", "libmpi.so.12"];

    /// <summary>
    /// The libraries to try, in order. A process must load the library of the launcher that started it (the other
    /// one would initialize as a job of one rank), so Open MPI's launcher (<c>OMPI_*</c>) puts Open MPI first and a PMI
    /// launcher (MPICH's Hydra, Slurm) MPICH first; <see cref="OverrideVariable"/> names the only one.
    /// </summary>
    public static IReadOnlyList<string> Candidates(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(OverrideVariable) is { Length: > 0 } chosen)
        {
            return [chosen];
        }
        bool pmiOnly = Communicators.Launched(environment)?.Variable == "PMI_SIZE";
        // then the unversioned name, whichever MPI the system's alternatives point it at
        return pmiOnly ? [.. MpichNames, .. OpenMpiNames, "libmpi.so"] : [.. OpenMpiNames, .. MpichNames, "libmpi.so"];
    }

    /// <summary>Open MPI when the library exports its MPI_COMM_WORLD object, otherwise the MPICH ABI.</summary>
    internal static MpiFamily FamilyOf(nint library) =>
        NativeLibrary.TryGetExport(library, "ompi_mpi_comm_world", out _) ? MpiFamily.OpenMpi : MpiFamily.Mpich;

    /// <summary>The family's name, as messages print it.</summary>
    internal static string Name(MpiFamily family) => family == MpiFamily.OpenMpi ? "Open MPI" : "MPICH";
}
