using FastNet.Distributed;
using Xunit;

namespace FastNet.Tests.Distributed;

/// <summary>A fact that runs only where tests/mpi/run-mpirun-test.sh has set <see cref="Variable"/>; with
/// <see cref="UnderMpirun"/>, only in a process that mpirun started, otherwise only outside one.</summary>
public sealed class MpirunFactAttribute : FactAttribute
{
    public const string Variable = "FASTNET_MPIRUN_DIR";

    public bool UnderMpirun
    {
        get;
        init
        {
            field = value;
            Skip = Why(value);
        }
    }

    public MpirunFactAttribute() => Skip = Why(false);

    private static string? Why(bool underMpirun) =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))
            ? $"needs a real mpirun run: tests/mpi/run-mpirun-test.sh sets {Variable}"
            : (Communicators.LaunchedRanks(Environment.GetEnvironmentVariable) is not null) != underMpirun
                ? (underMpirun ? "runs only under mpirun" : "runs only outside mpirun")
                : null;
}
