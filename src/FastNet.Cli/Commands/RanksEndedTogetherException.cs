namespace FastNet.Cli.Commands;

/// <summary>
/// Ends a data-parallel run that every rank ended at the same point and for the same reason (training diverged: the
/// loss the guard judges is all-reduced, so every rank sees it), after rank 0 has said why. Each rank then exits with
/// <see cref="ExitCode"/> by itself: MPI_Abort, the answer to one rank's error, would make mpirun print its abort
/// banner and could kill rank 0 while it still writes the message.
/// </summary>
internal sealed class RanksEndedTogetherException(int exitCode) : Exception("every rank ended the run")
{
    /// <summary>The exit code of every rank.</summary>
    public int ExitCode { get; } = exitCode;
}
