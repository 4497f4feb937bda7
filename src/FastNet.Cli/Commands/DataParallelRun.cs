using System.Globalization;
using System.Text;
using FastNet.Distributed;

namespace FastNet.Cli.Commands;

/// <summary>
/// <c>fastnet train</c> as one rank of a data-parallel run (<c>mpirun -np N fastnet train …</c>): MPI starts and ends
/// around the run, rank 0 alone prints and writes files, the ranks agree on their configuration before training, and an
/// error on any rank ends the whole job. Without MPI (no launcher, no --mpi) the run is the single process it always
/// was.
/// </summary>
internal static class DataParallelRun
{
    /// <summary>Runs <paramref name="train"/> on this rank with the run's communicator (<paramref name="given"/>, or
    /// the one <see cref="Communicators.Create"/> chooses, which this run then owns); errors of one rank are printed by
    /// <see cref="CliErrors"/>, naming the rank, and then end every rank (MPI_Abort), so no rank waits for a dead one. An interrupted run
    /// (SIGINT, SIGTERM: all ranks stop at the same batch) ends normally, and so does a failure every rank reached
    /// together (<see cref="RanksEndedTogetherException"/>).</summary>
    public static int Run(ICommunicator? given, bool forceMpi, TextWriter error, Func<ICommunicator, int> train)
    {
        using ICommunicator? owned = given is null ? Communicators.Create(forceMpi) : null;
        ICommunicator ranks = given ?? owned!;
        if (ranks.Size == 1)
        {
            return train(ranks);
        }
        int exit;
        try
        {
            exit = CliErrors.Guard(error, () => train(ranks), $" on rank {ranks.Rank}");
        }
        catch (RanksEndedTogetherException together)
        {
            return together.ExitCode;
        }
        catch (Exception e)
        {
            error.WriteLine($"fastnet: error on rank {ranks.Rank}: {e}");
            exit = FastNetCli.Failure;
        }
        if (exit == FastNetCli.Failure)
        {
            error.Flush();
            ranks.Abort(exit);
        }
        return exit;
    }

    /// <summary>What rank 0 writes and the other ranks drop: the output stream and the output files.</summary>
    public static TextWriter Output(ICommunicator ranks, TextWriter output) => ranks.Rank == 0 ? output : TextWriter.Null;

    /// <summary>The path on rank 0, null (no file) on the others.</summary>
    public static string? OnRoot(ICommunicator ranks, string? path) => ranks.Rank == 0 ? path : null;

    /// <summary>
    /// Collective: refuses to train unless every rank resolved the same configuration (the given parts: options,
    /// network, backend, data checksum, …), compared by hash. Each part is turned into text only with more than one rank.
    /// </summary>
    public static void RequireSameConfiguration(ICommunicator ranks, params object?[] parts)
    {
        if (ranks.Size == 1)
        {
            return; // one process agrees with itself; a part such as the data checksum is then never computed
        }
        string description = string.Join("\n", parts.Select(p => Convert.ToString(p, CultureInfo.InvariantCulture)));
        Communicators.RequireAgreement(ranks, Encoding.UTF8.GetBytes(description),
            "the training configuration (options, network, backend or data)");
    }

    /// <summary>" on N ranks (B/N rows each), all-reduce flat" for the run's description line, "on N Open MPI ranks"
    /// or "on N MPICH ranks" under MPI; empty for one process.</summary>
    public static string Describe(ICommunicator ranks, int batch, GradientAllReduce allReduce) => ranks.Size == 1
        ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $", data-parallel on {ranks.Size} {(ranks is MpiCommunicator mpi ? mpi.Implementation + " " : "")}ranks (up to {(batch + ranks.Size - 1) / ranks.Size} rows of each batch per rank), "
            + $"all-reduce {GradientAllReduceNames.Of(allReduce)}");
}
