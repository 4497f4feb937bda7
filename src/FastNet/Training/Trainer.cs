using System.Diagnostics;
using FastNet.Data;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>
/// The epoch loop: both datasets go to the backend once; each epoch uploads one shuffled index order, gathers each
/// batch on the backend and trains on it; the loss and accuracy sums are read back once per epoch.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainingNetwork _network;
    private readonly DeviceDataset _train;
    private readonly DeviceDataset? _test;
    private readonly IndexBuffer _order;
    private readonly FloatBuffer _batchFeatures, _batchTargets;
    private readonly int[] _orderHost;
    private readonly SeededRandom _shuffle;
    private readonly TrainingOptions _options;
    private int _epoch;

    /// <summary>Prepares to train <paramref name="network"/> on <paramref name="train"/>, evaluating on
    /// <paramref name="test"/> (may be null) after every epoch.</summary>
    public Trainer(TrainingNetwork network, Dataset train, Dataset? test, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckShapes(network, train);
        if (test is not null)
        {
            CheckShapes(network, test);
        }
        if (train.Count == 0)
        {
            throw new ArgumentException($"{train.Name}: no training examples");
        }
        if (options.BatchSize > network.MaxBatch)
        {
            throw new ArgumentException($"batch {options.BatchSize} exceeds the network's buffers ({network.MaxBatch})");
        }
        IBackend backend = network.Backend;
        _network = network;
        _options = options;
        _train = new DeviceDataset(backend, train);
        _test = test is { Count: > 0 } ? new DeviceDataset(backend, test) : null;
        _order = backend.AllocateIndices(train.Count);
        _orderHost = [.. Enumerable.Range(0, train.Count)];
        _batchFeatures = backend.Allocate(options.BatchSize * train.FeatureCount);
        _batchTargets = backend.Allocate(options.BatchSize * train.TargetCount);
        _shuffle = new SeededRandom(options.Seed ^ 0x5EED_5EED_5EED_5EEDUL);
        backend.UploadIndices(_orderHost, _order);
    }

    /// <summary>Epochs completed.</summary>
    public int Epoch => _epoch;

    /// <summary>Runs the configured number of epochs, reporting each.</summary>
    public void Run(Action<EpochReport>? onEpoch = null)
    {
        for (int e = 0; e < _options.Epochs; e++)
        {
            EpochReport report = RunEpoch();
            onEpoch?.Invoke(report);
        }
    }

    /// <summary>One pass over the training set, then an evaluation of the test set.</summary>
    public EpochReport RunEpoch()
    {
        IBackend backend = _network.Backend;
        Dataset train = _train.Data;
        int features = train.FeatureCount, targets = train.TargetCount, batch = _options.BatchSize;
        if (_options.Shuffle)
        {
            _shuffle.Shuffle(_orderHost);
            backend.UploadIndices(_orderHost, _order);
        }
        _network.TakeMetrics();
        var clock = Stopwatch.StartNew();
        for (int first = 0; first < train.Count; first += batch)
        {
            int rows = Math.Min(batch, train.Count - first);
            BufferView x = _batchFeatures.Slice(0, rows * features);
            BufferView t = _batchTargets.Slice(0, rows * targets);
            backend.GatherRows(_train.Features.All, features, _order, first, rows, x);
            backend.GatherRows(_train.Targets.All, targets, _order, first, rows, t);
            _network.TrainBatch(x, t, rows);
        }
        (double lossSum, long correct) = _network.TakeMetrics();
        clock.Stop();
        _epoch++;
        (double testLoss, double testAccuracy) = _test is null ? (double.NaN, double.NaN) : Evaluate(_test);
        return new EpochReport(_epoch, lossSum / train.Count, Accuracy(train, correct), testLoss, testAccuracy,
            clock.Elapsed.TotalSeconds, train.Count);
    }

    /// <summary>Mean loss and accuracy of the current parameters on a dataset already on the backend.</summary>
    public (double Loss, double Accuracy) Evaluate(DeviceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Dataset d = data.Data;
        _network.TakeMetrics();
        for (int first = 0; first < d.Count; first += _network.MaxBatch)
        {
            int rows = Math.Min(_network.MaxBatch, d.Count - first);
            _network.EvaluateBatch(data.Features.Slice(first * d.FeatureCount, rows * d.FeatureCount),
                data.Targets.Slice(first * d.TargetCount, rows * d.TargetCount), rows);
        }
        (double lossSum, long correct) = _network.TakeMetrics();
        return (lossSum / d.Count, Accuracy(d, correct));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _train.Dispose();
        _test?.Dispose();
        _order.Dispose();
        _batchFeatures.Dispose();
        _batchTargets.Dispose();
    }

    private static double Accuracy(Dataset data, long correct) =>
        data.IsClassification ? (double)correct / data.Count : double.NaN;

    private static void CheckShapes(TrainingNetwork network, Dataset data)
    {
        if (data.FeatureCount != network.Spec.Inputs)
        {
            throw new ArgumentException(
                $"{data.Name} has {data.FeatureCount} features per row, the network {network.Spec} takes {network.Spec.Inputs}");
        }
        if (data.TargetCount != network.Spec.Outputs)
        {
            throw new ArgumentException(
                $"{data.Name} has {data.TargetCount} targets per row, the network {network.Spec} has {network.Spec.Outputs} outputs");
        }
    }
}
