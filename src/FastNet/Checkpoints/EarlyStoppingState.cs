namespace FastNet.Checkpoints;

/// <summary>
/// Early stopping's state in a checkpoint, so that a resumed run stops where the uninterrupted one would and keeps
/// the same model: the patience (epochs without a lower validation loss), and the lowest validation loss so far with
/// its epoch and the parameters that had it.
/// </summary>
/// <param name="Patience">Epochs without a lower validation loss that end the run; 0: no early stopping.</param>
/// <param name="BestEpoch">The epoch (from 1) of the lowest validation loss so far; 0 before the first.</param>
/// <param name="BestLoss">That loss (+∞ before the first epoch).</param>
/// <param name="BestParameters">The parameters after that epoch; null before the first.</param>
public sealed record EarlyStoppingState(int Patience, int BestEpoch, double BestLoss, float[]? BestParameters)
{
    /// <summary>No epoch seen yet.</summary>
    public static EarlyStoppingState Start(int patience) => new(patience, 0, double.PositiveInfinity, null);
}
