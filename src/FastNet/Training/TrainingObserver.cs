namespace FastNet.Training;

/// <summary>
/// What a caller of <see cref="Trainer.Run(TrainingObserver?, CancellationToken)"/> sees of the run as it goes: a
/// progress display, a per-epoch record, early stopping. Every callback is optional and runs on the training thread,
/// between two batches.
/// </summary>
public sealed class TrainingObserver
{
    /// <summary>An epoch (1-based) starts, with this many examples to train in this run of it: fewer than the training
    /// set when the run continues inside the epoch.</summary>
    public Action<int, int>? EpochStarting { get; init; }

    /// <summary>A batch of this many examples has been trained on.</summary>
    public Action<int>? BatchTrained { get; init; }

    /// <summary>An epoch has ended, after its evaluation; returning true ends training there, before the epochs the
    /// options ask for are complete.</summary>
    public Func<EpochReport, bool>? EpochEnded { get; init; }
}
