using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>Early stopping: the lowest validation loss so far and the parameters that had it.</summary>
internal sealed class BestModel(int patience)
{
    private float[]? _parameters;
    private double _loss = double.PositiveInfinity;

    public int Epoch { get; private set; }

    /// <summary>Records the epoch; true when patience has run out.</summary>
    public bool Observe(EpochReport report, TrainingNetwork network)
    {
        if (patience <= 0)
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
        return report.Epoch - Epoch >= patience;
    }

    public void RestoreInto(TrainingNetwork network)
    {
        if (_parameters is not null)
        {
            network.LoadParameters(_parameters);
        }
    }
}
