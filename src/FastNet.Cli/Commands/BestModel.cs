using FastNet.Checkpoints;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>Early stopping: the lowest validation loss so far and the parameters that had it, from the start of a
/// run or from a checkpoint's <see cref="EarlyStoppingState"/>.</summary>
internal sealed class BestModel(EarlyStoppingState start)
{
    private float[]? _parameters = start.BestParameters;
    private double _loss = start.BestLoss;

    public int Epoch { get; private set; } = start.BestEpoch;

    /// <summary>What a checkpoint keeps of it.</summary>
    public EarlyStoppingState State => new(start.Patience, Epoch, _loss, _parameters);

    /// <summary>Records the epoch; true when patience has run out.</summary>
    public bool Observe(EpochReport report, TrainingNetwork network)
    {
        if (start.Patience <= 0)
        {
            return false;
        }
        if (report.EvalLoss < _loss)
        {
            _loss = report.EvalLoss;
            _parameters = network.ToModel().Parameters;
            Epoch = report.Epoch;
            return false;
        }
        return HasRunOut(report.Epoch);
    }

    /// <summary>Whether patience has run out after <paramref name="epochs"/> completed epochs.</summary>
    public bool HasRunOut(int epochs) => start.Patience > 0 && epochs > 0 && epochs - Epoch >= start.Patience;

    public void RestoreInto(TrainingNetwork network)
    {
        if (_parameters is not null)
        {
            network.LoadParameters(_parameters);
        }
    }
}
