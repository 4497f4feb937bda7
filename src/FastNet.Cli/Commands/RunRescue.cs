using FastNet.Checkpoints;

namespace FastNet.Cli.Commands;

/// <summary>What <c>fastnet train</c> does when an output cannot be written after training has started: the trained
/// state is kept as a checkpoint at the first place that takes it, and the user is told the reason and the place.</summary>
internal static class RunRescue
{
    /// <summary>Writes <paramref name="state"/> to <paramref name="preferred"/>, or else to
    /// <see cref="TrainCommand.InterruptedCheckpoint"/> in the current directory, or else in the temporary directory;
    /// returns the path written.</summary>
    public static string Keep(Checkpoint state, string? preferred) =>
        CheckpointRescue.WriteFirst(state,
            [.. preferred is null ? [] : new[] { preferred }, TrainCommand.InterruptedCheckpoint,
                Path.Combine(Path.GetTempPath(), TrainCommand.InterruptedCheckpoint)]);

    /// <summary>Reports that an output could not be written (<paramref name="path"/>, given with
    /// <paramref name="option"/>; when both are null the failure's message names it), keeps <paramref name="state"/>
    /// when there is one at <paramref name="keepIn"/> or else in the usual places, says where, and returns the failure
    /// exit code.</summary>
    public static int AfterFailedOutput(Exception failure, Checkpoint? state, string? keepIn, TextWriter error,
        string? option = null, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(failure);
        string message = path is null || failure.Message.StartsWith(path, StringComparison.Ordinal)
            ? failure.Message : $"{path}: {failure.Message}";
        error.WriteLine(option is null ? $"fastnet: error: {message}" : $"fastnet: error: {option} {message}");
        if (state is null)
        {
            return FastNetCli.Failure;
        }
        try
        {
            string kept = Keep(state, keepIn);
            error.WriteLine($"fastnet: the trained state is kept in {kept}: continue with --resume {kept}, "
                + $"or use it with --model {kept} in eval and predict");
        }
        catch (IOException e)
        {
            error.WriteLine($"fastnet: error: {e.Message}");
        }
        return FastNetCli.Failure;
    }
}
