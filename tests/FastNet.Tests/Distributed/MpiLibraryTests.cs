using FastNet.Distributed;
using Xunit;

namespace FastNet.Tests.Distributed;

/// <summary>
/// Which MPI library a rank loads: the one whose launcher started it, since the other initializes every process as a
/// job of one rank; and the refusal when MPI counts other ranks than the launcher announced. The libraries themselves
/// run under real launchers in tests/mpi/run-mpirun-test.sh (Open MPI's mpirun and MPICH's mpiexec).
/// </summary>
public class MpiLibraryTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void OpenMpisLauncherLoadsOpenMpiFirst()
    {
        // Open MPI under Slurm sees both variables; its own says which MPI started the process
        IReadOnlyList<string> names = MpiLibrary.Candidates(Environment(("OMPI_COMM_WORLD_SIZE", "2"), ("PMI_SIZE", "2")));
        Assert.Equal(["libmpi.so.40", "libmpich.so.12", "libmpi.so.12", "libmpi.so"], names);
    }

    [Fact]
    public void APmiLauncherLoadsMpichFirst()
    {
        IReadOnlyList<string> names = MpiLibrary.Candidates(Environment(("PMI_SIZE", "3")));
        Assert.Equal(["libmpich.so.12", "libmpi.so.12", "libmpi.so.40", "libmpi.so"], names);
    }

    [Fact]
    public void WithoutALauncherOpenMpiComesFirst() =>
        Assert.Equal("libmpi.so.40", MpiLibrary.Candidates(Environment())[0]);

    [Fact]
    public void TheOverrideIsTheOnlyCandidate()
    {
        IReadOnlyList<string> names = MpiLibrary.Candidates(Environment(("PMI_SIZE", "2"),
            (MpiLibrary.OverrideVariable, "/opt/intel/mpi/lib/libmpi.so.12")));
        Assert.Equal(["/opt/intel/mpi/lib/libmpi.so.12"], names);
    }

    [Fact]
    public void MpiCountingOtherRanksThanTheLauncherStartedIsRefused()
    {
        string? message = MpiCommunicator.LauncherMismatch(("PMI_SIZE", 2), 1, "Open MPI (libmpi.so.40)");
        Assert.Equal("the launcher started 2 ranks (PMI_SIZE=2), but MPI on Open MPI (libmpi.so.40) counts 1: this process "
            + "was started by another MPI's launcher. Start it with the mpirun of the MPI FastNet loads, or set "
            + "FASTNET_MPI_LIBRARY to the library of the launcher used", message);
    }

    [Fact]
    public void MpiCountingTheLaunchedRanksOrNoLauncherIsAccepted()
    {
        Assert.Null(MpiCommunicator.LauncherMismatch(("OMPI_COMM_WORLD_SIZE", 3), 3, "Open MPI (libmpi.so.40)"));
        // started with --mpi and no launcher: nothing announced to compare with
        Assert.Null(MpiCommunicator.LauncherMismatch(null, 1, "MPICH (libmpich.so.12)"));
    }
}
