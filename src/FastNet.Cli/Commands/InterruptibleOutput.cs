namespace FastNet.Cli.Commands;

/// <summary>
/// Writes a command's output file with SIGINT and SIGTERM taken by <see cref="RunSignals"/>: ended by a signal's
/// default action, the process would leave its unfinished temporary file beside the target. A signal during the
/// write removes that file and leaves the target as it was; the command then exits with the signal's status.
/// </summary>
internal static class InterruptibleOutput
{
    /// <summary>Runs <paramref name="write"/>, which writes <paramref name="target"/> through
    /// <see cref="AtomicFile"/> with the token it is given, then <paramref name="report"/>. Returns 0, or after a
    /// signal 128 + its number, with a line on <paramref name="error"/> saying what became of the target.</summary>
    public static int Write(string target, Action<CancellationToken> write, Action report, TextWriter error)
    {
        using var signals = new RunSignals(error, $"removing the unfinished {target}");
        try
        {
            write(signals.Stop);
        }
        catch (OperationCanceledException) when (signals.Stop.IsCancellationRequested)
        {
            error.WriteLine($"fastnet: interrupted ({signals.Name}) while writing {target}; {target} is as it was, "
                + "and no unfinished file is left");
            return signals.ExitCode;
        }
        report();
        if (signals.Stop.IsCancellationRequested)
        {
            // the signal came after the rename: the file is whole
            error.WriteLine($"fastnet: interrupted ({signals.Name}) as {target} was finished; it is complete");
            return signals.ExitCode;
        }
        return 0;
    }
}
