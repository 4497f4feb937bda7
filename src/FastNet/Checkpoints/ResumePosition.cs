using FastNet.Training;

namespace FastNet.Checkpoints;

/// <summary>
/// Checks a checkpoint's position against the data it resumes on. The header's own checks
/// (<see cref="CheckpointHeader"/>) cannot: how many batches an epoch has depends on the training set's size.
/// </summary>
public static class ResumePosition
{
    /// <summary>Throws unless <paramref name="position"/> lies within an epoch of <paramref name="batchesPerEpoch"/>
    /// batches. A run is stopped between two batches of an epoch, or after an epoch at batch 0, so a position at or
    /// past the epoch's last batch was not written by a run on this data.</summary>
    /// <exception cref="CheckpointFormatException">It does not; the message names <paramref name="source"/> and the
    /// field.</exception>
    public static void Require(TrainingPosition position, int batchesPerEpoch, string source)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (position.Batch > 0 && position.Batch >= batchesPerEpoch)
        {
            throw new CheckpointFormatException($"{source}, field position.batch: {position.Batch} batches of epoch " +
                $"{position.Epoch + 1} done, but an epoch of this training data has {batchesPerEpoch}; expected 0 to " +
                $"{batchesPerEpoch - 1}");
        }
    }
}
