using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>Loss and accuracy of a network's current parameters on a dataset, without training.</summary>
public static class Evaluation
{
    /// <summary>Rows per forward pass when a model is scored on its own (<see cref="OfModel"/>).</summary>
    public const int ModelBatch = 512;

    /// <summary>
    /// Mean loss and accuracy of <paramref name="model"/> on <paramref name="data"/>, in batches of
    /// <see cref="ModelBatch"/> rows. The float32 sums depend on how rows are grouped, so <c>train</c>'s final test
    /// score and <c>eval</c> both come from here and agree bit for bit.
    /// </summary>
    public static (double Loss, double Accuracy) OfModel(IBackend backend, Model.Model model, LossKind loss, DeviceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var network = new TrainingNetwork(backend, model, loss, new OptimizerSettings { Kind = OptimizerKind.Sgd },
            Math.Max(1, Math.Min(ModelBatch, data.Data.Count)));
        return Run(network, data);
    }

    /// <summary>Mean loss and accuracy (NaN for regression) on <paramref name="data"/>, in batches of the network's
    /// size. Uses the network's metric sums, so call it between epochs, not inside one. With
    /// <paramref name="ranks"/> of N &gt; 1 (collective) each rank scores its slice of the rows
    /// (<see cref="Communicators.Slice"/>) and the sums are all-reduced, so every rank gets the same figures.</summary>
    public static (double Loss, double Accuracy) Run(TrainingNetwork network, DeviceDataset data, ICommunicator? ranks = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        Dataset d = data.Data;
        ranks ??= SingleProcess.Instance;
        (int start, int count) = Communicators.Slice(d.Count, ranks.Size, ranks.Rank);
        (float savedLoss, float savedCorrect) = network.TakeMetrics();
        for (int first = start; first < start + count; first += network.MaxBatch)
        {
            int rows = Math.Min(network.MaxBatch, start + count - first);
            network.EvaluateBatch(data.Rows(first, rows),
                data.Targets.Slice(first * d.TargetCount, rows * d.TargetCount), rows);
        }
        (float lossSum, float correct) = network.TakeMetrics();
        network.SetMetrics(savedLoss, savedCorrect);
        float[] sums = [lossSum, correct];
        ranks.AllReduceSum(sums);
        return ((double)sums[0] / d.Count, Trainer.Accuracy(d, sums[1]));
    }
}
