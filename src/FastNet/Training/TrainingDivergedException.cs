namespace FastNet.Training;

/// <summary>Training stopped because its loss blew up (<see cref="DivergenceGuard"/>); the network holds the
/// diverged parameters.</summary>
public sealed class TrainingDivergedException(string message, int epoch, int batch) : Exception(message)
{
    /// <summary>The epoch (1-based) it diverged in.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>Batches of that epoch done when it was detected.</summary>
    public int Batch { get; } = batch;
}
