using System.Runtime.InteropServices;
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
    /// <see cref="ModelBatch"/> rows. Each batch's float32 sums (added in float64) depend on how rows are grouped, so
    /// <c>train</c>'s final test score and <c>eval</c> both come from here and agree bit for bit. With
    /// <paramref name="ranks"/> of N &gt; 1 (collective) the batches are split over the ranks
    /// (<see cref="Communicators.Slice"/> of the batches, so a shard starts and ends on a batch boundary) and each rank
    /// runs the forward passes of its shard; the running sums are then handed from rank to rank in rank order, each
    /// rank adding its batches to them as one process adds them, so every rank gets one process's figures bit for bit.
    /// </summary>
    public static (double Loss, double Accuracy) OfModel(IBackend backend, Model.Model model, LossKind loss, DeviceDataset data,
        ICommunicator? ranks = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var network = new TrainingNetwork(backend, model, loss, new OptimizerSettings { Kind = OptimizerKind.Sgd },
            Math.Max(1, Math.Min(ModelBatch, data.Data.Count)));
        return ranks is null || ranks.Size == 1 ? Run(network, data) : Sharded(network, data, ranks);
    }

    // The forward passes (the work) run on every rank at once; the sums (N broadcasts of two float64s) in rank order.
    private static (double Loss, double Accuracy) Sharded(TrainingNetwork network, DeviceDataset data, ICommunicator ranks)
    {
        Dataset d = data.Data;
        IBackend backend = network.Backend;
        int batch = network.MaxBatch, outputs = network.Spec.Outputs;
        (int firstBatch, int batches) = Communicators.Slice((d.Count + batch - 1) / batch, ranks.Size, ranks.Rank);
        int start = Math.Min(d.Count, firstBatch * batch), rows = Math.Min(d.Count - start, batches * batch);
        float[] held = new float[rows * outputs];
        for (int first = 0; first < rows; first += batch)
        {
            int take = Math.Min(batch, rows - first);
            BufferView output = network.Forward(data.Rows(start + first, take), take);
            backend.Download(output, held.AsSpan(first * outputs, take * outputs));
        }
        using FloatBuffer heldOnBackend = backend.Allocate(Math.Max(1, held.Length));
        backend.Upload(held, heldOnBackend.Slice(0, held.Length));
        double[] sums = new double[2]; // the running (loss sum, correct count), as rank r − 1 left them
        for (int r = 0; r < ranks.Size; r++)
        {
            if (r == ranks.Rank)
            {
                network.SetMetrics(sums[0], sums[1]);
                for (int first = 0; first < rows; first += batch)
                {
                    int take = Math.Min(batch, rows - first);
                    network.AddMetrics(heldOnBackend.Slice(first * outputs, take * outputs),
                        data.Targets.Slice((start + first) * d.TargetCount, take * d.TargetCount), take);
                }
                (sums[0], sums[1]) = network.TakeMetrics();
            }
            ranks.Broadcast(MemoryMarshal.AsBytes(sums.AsSpan()), r);
        }
        return (sums[0] / d.Count, Trainer.Accuracy(d, sums[1]));
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
        (double savedLoss, double savedCorrect) = network.TakeMetrics();
        for (int first = start; first < start + count; first += network.MaxBatch)
        {
            int rows = Math.Min(network.MaxBatch, start + count - first);
            network.EvaluateBatch(data.Rows(first, rows),
                data.Targets.Slice(first * d.TargetCount, rows * d.TargetCount), rows);
        }
        (double lossSum, double correct) = network.TakeMetrics();
        network.SetMetrics(savedLoss, savedCorrect);
        double[] sums = [lossSum, correct];
        Communicators.SumInRankOrder(ranks, sums);
        return (sums[0] / d.Count, Trainer.Accuracy(d, sums[1]));
    }
}
