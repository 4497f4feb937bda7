using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Kernels.Cpu;

namespace FastNet.Training;

/// <summary>
/// The epoch loop: both datasets go to the backend once; each epoch uploads one shuffled index order, takes each
/// batch on the backend (<see cref="BatchSource"/>) and trains on it; the loss and accuracy sums are read back once
/// per epoch, and, with a <see cref="DivergenceGuard"/>, once per window of batches so a blow-up stops training within
/// the epoch. With <see cref="TrainingOptions.Accumulate"/> K &gt; 1 each batch is taken and trained on as micro-batches
/// whose gradients are summed before the one optimizer step. Training can stop between two batches (cancellation),
/// which are step boundaries, and continue later from <see cref="Position"/>.
/// With a communicator of N &gt; 1 ranks (data parallelism) every rank holds the whole data set and draws the same
/// order; each batch is split into N consecutive slices (<see cref="Communicators.Slice"/>), each rank computes its
/// slice's gradient weighted by its rows / batch rows (in one pass, the weight inside the loss gradient, when the slice
/// fits the micro-batch; otherwise summed over micro-batches), the ranks' gradients are all-reduced and every rank takes
/// the same step: one step at the global batch. The gradient travels in one all-reduce after the backward pass, or in
/// one per layer started as the backward pass finishes each (<see cref="GradientAllReduce"/>), with the same result.
/// The parameters are broadcast from rank 0 at the start, the epoch's metrics are all-reduced, each rank evaluates its
/// slice of the evaluation set, and the parameters and optimizer state are compared across ranks after every epoch.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainingNetwork _network;
    private readonly DeviceDataset _train;
    private readonly DeviceDataset? _evaluation;
    private readonly BatchSource _batches;
    private readonly int[] _orderHost;
    private readonly SeededRandom _shuffle;
    private readonly TrainingOptions _options;
    private readonly DivergenceGuard? _divergence;
    private readonly ICommunicator _ranks;
    private readonly int _micro; // rows per forward and backward pass on this rank
    private readonly bool _onePass; // with N ranks: every slice of a batch is one pass (no accumulation)
    private readonly float[]? _reduced; // the flat all-reduce's host buffer, where the backend's memory is not the host's
    private readonly float[] _flag = new float[1]; // the in-place all-reduce's stop flag
    private XxHash128? _checksum; // the ranks' per-epoch comparison of parameters and optimizer state
    private float[]? _checksumHost; // its host buffer, where the backend's memory is not the host's
    private readonly LayerBuckets? _buckets; // or the per-layer all-reduces
    private readonly Action<int>? _startBucket;
    private CancellationToken _cancel;
    private bool _stopAgreed;
    private (ulong, ulong, ulong, ulong) _epochShuffleState;
    private int _epoch, _batch;
    private long _allReduceTicks;

    /// <summary>Prepares to train <paramref name="network"/> on <paramref name="train"/>, evaluating on
    /// <paramref name="evaluation"/> (validation or test set; may be null) after every epoch. With
    /// <paramref name="divergence"/>, training throws <see cref="TrainingDivergedException"/> when the guard says the
    /// loss has blown up. The network's optimizer clock gives the steps their learning rates: it must have been made
    /// with <paramref name="options"/>' <see cref="TrainingOptions.LearningRates"/> for this training set (a constant
    /// rate, the default, fits any). With <paramref name="communicator"/> of more than one rank, training is data-parallel (see
    /// the class); constructing the trainer is then collective: it replaces this rank's parameters and optimizer state
    /// with rank 0's. <paramref name="allReduce"/> says how the ranks' gradients travel (it does not change the
    /// result); one rank ignores it.</summary>
    public Trainer(TrainingNetwork network, Dataset train, Dataset? evaluation, TrainingOptions options,
        DivergenceGuard? divergence = null, ICommunicator? communicator = null,
        GradientAllReduce allReduce = GradientAllReduce.Flat)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckShapes(network, train);
        if (evaluation is not null)
        {
            CheckShapes(network, evaluation);
        }
        if (train.Count == 0)
        {
            throw new ArgumentException($"{train.Name}: no training examples");
        }
        if (network.Loss == LossKind.SoftmaxCrossEntropy)
        {
            ProbabilityTargets.Require(train);
        }
        _ranks = communicator ?? SingleProcess.Instance;
        _micro = options.MicroBatchSizeOn(_ranks.Size);
        if (_micro > network.MaxBatch)
        {
            throw new ArgumentException(options.Accumulate == 1 && _ranks.Size == 1
                ? $"batch {options.BatchSize} exceeds the network's buffers ({network.MaxBatch})"
                : $"micro-batch {_micro} exceeds the network's buffers ({network.MaxBatch})");
        }
        // on several ranks each rank's slice is what matters (checked below): K micro-batches of a batch may fit one pass
        if (_ranks.Size == 1 && options.MicroBatchSize < options.BatchSize && !network.Accumulates)
        {
            throw new ArgumentException(
                $"--accumulate {options.Accumulate} needs a network built to accumulate gradients");
        }
        _onePass = _ranks.Size > 1 && !options.AccumulatesOn(_ranks.Size);
        if (_ranks.Size > 1 && !_onePass && !network.Accumulates)
        {
            throw new ArgumentException("data-parallel training with --accumulate needs a network built to accumulate gradients");
        }
        if (_ranks.Size > options.BatchSize)
        {
            throw new ArgumentException(
                $"--batch {options.BatchSize} is smaller than the {_ranks.Size} ranks: every rank needs at least one row of a batch");
        }
        if (!network.Optimizer.Rates.SameRatesAs(options.LearningRates(train.Count)))
        {
            throw new ArgumentException("the network's optimizer clock was made with the learning rates "
                + $"{network.Optimizer.Rates}, not this run's {options.LearningRates(train.Count)}: make the network "
                + "with the options' LearningRates");
        }
        IBackend backend = network.Backend;
        _network = network;
        _options = options;
        _divergence = divergence;
        _train = new DeviceDataset(backend, train);
        _evaluation = evaluation is { Count: > 0 } ? new DeviceDataset(backend, evaluation) : null;
        _batches = new BatchSource(backend, _train, _micro);
        _orderHost = new int[train.Count];
        _shuffle = new SeededRandom(options.Seed ^ 0x5EED_5EED_5EED_5EEDUL);
        _epochShuffleState = _shuffle.State;
        if (_ranks.Size > 1)
        {
            if (allReduce == GradientAllReduce.Layers)
            {
                _buckets = new LayerBuckets(network, _onePass ? network.Gradients : network.AccumulatedGradients, _ranks);
                _startBucket = layer => _buckets.Start(layer, _cancel.IsCancellationRequested);
            }
            else if (!_onePass || network.Gradients.Buffer is not CpuFloatBuffer)
            {
                _reduced = new float[network.TrainableCount + 1]; // the gradient sum and the count of ranks asked to stop
            }
            float[] parameters = network.ToModel().Parameters, state = network.DownloadOptimizerState();
            Communicators.BroadcastFromRoot(_ranks, parameters);
            Communicators.BroadcastFromRoot(_ranks, state);
            network.LoadParameters(parameters);
            network.LoadOptimizerState(state);
        }
    }

    /// <summary>The evaluation set on the backend, or null without one: a final score on it needs no second
    /// upload.</summary>
    public DeviceDataset? EvaluationData => _evaluation;

    /// <summary>The training set on the backend.</summary>
    public DeviceDataset TrainData => _train;

    /// <summary>Where the gradient of the last data-parallel or accumulated step lies on the backend
    /// ([TrainableCount]), summed over the ranks: the network's accumulated gradient, or its gradient when each rank's
    /// slice of a batch is one pass.</summary>
    public BufferView StepGradients => _onePass || !_network.Accumulates
        ? _network.Gradients.Slice(0, _network.TrainableCount)
        : _network.AccumulatedGradients;

    /// <summary>Time spent in the steps' gradient all-reduce (with N &gt; 1 ranks) since the trainer was made: what
    /// data parallelism adds to a step, besides the host staging of the gradient. Per layer, the time in the
    /// communicator's calls (starting, moving on and waiting for the all-reduces): what the backward pass did not
    /// hide.</summary>
    public TimeSpan AllReduceTime => Stopwatch.GetElapsedTime(0, _allReduceTicks + (_buckets?.Ticks ?? 0));

    /// <summary>The mean training loss of the current epoch so far, as last measured by the divergence check (about
    /// ten times an epoch, summed over the ranks); NaN before the epoch's first check or without a guard.</summary>
    public double RunningLoss { get; private set; } = double.NaN;

    /// <summary>Optimizer steps in one epoch.</summary>
    public int BatchesPerEpoch => _options.StepsPerEpoch(_train.Data.Count);

    /// <summary>Epochs completed.</summary>
    public int Epoch => _epoch;

    /// <summary>The divergence guard, or null where the run has none.</summary>
    public DivergenceGuard? Divergence => _divergence;

    /// <summary>Where training stands; reading it downloads the current epoch's partial sums (with N ranks, after a
    /// stop, rank 0's sums are all ranks' and the others' are zero).</summary>
    public TrainingPosition Position
    {
        get
        {
            (double loss, double correct) = _network.PeekMetrics();
            return new TrainingPosition(_epoch, _batch, _epochShuffleState, loss, correct);
        }
    }

    /// <summary>Continues from a saved <paramref name="position"/> (the network's parameters and optimizer state
    /// must be restored separately).</summary>
    public void Restore(TrainingPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (position.Batch < 0 || position.Batch > BatchesPerEpoch || position.Epoch < 0)
        {
            throw new ArgumentException(
                $"cannot continue at epoch {position.Epoch}, batch {position.Batch}: an epoch has {BatchesPerEpoch} batches");
        }
        long seen = Math.Min((long)position.Batch * _options.BatchSize, _train.Data.Count);
        if (position.Correct > seen)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"cannot continue with {position.Correct} examples counted correct after {seen} examples of the epoch"));
        }
        _epoch = position.Epoch;
        _batch = position.Batch;
        _epochShuffleState = position.ShuffleState;
        _shuffle.State = position.ShuffleState;
        // the epoch's running sums are the sum over the ranks' sums: rank 0 carries what was saved
        _network.SetMetrics(_ranks.Rank == 0 ? position.LossSum : 0, _ranks.Rank == 0 ? position.Correct : 0);
    }

    /// <summary>The training loop, for every caller: runs epochs until <see cref="TrainingOptions.Epochs"/> are
    /// complete or <paramref name="observer"/> ends training after an epoch, telling it of each epoch and batch.
    /// Returns false if <paramref name="cancel"/> stopped it first (between two batches; <see cref="Position"/> says
    /// where). Throws <see cref="TrainingDivergedException"/> when the divergence guard trips.</summary>
    public bool Run(TrainingObserver? observer = null, CancellationToken cancel = default)
    {
        while (_epoch < _options.Epochs)
        {
            observer?.EpochStarting?.Invoke(_epoch + 1, _train.Data.Count - _batch * _options.BatchSize);
            EpochReport? report = RunEpoch(cancel, observer?.BatchTrained);
            if (report is null)
            {
                return false;
            }
            if (observer?.EpochEnded?.Invoke(report) == true)
            {
                break;
            }
        }
        return true;
    }

    /// <summary><see cref="Run(TrainingObserver?, CancellationToken)"/>, reporting each epoch to
    /// <paramref name="onEpoch"/>.</summary>
    public bool Run(Action<EpochReport> onEpoch, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(onEpoch);
        return Run(new TrainingObserver
        {
            EpochEnded = report =>
            {
                onEpoch(report);
                return false;
            },
        }, cancel);
    }

    /// <summary>
    /// One pass of <see cref="Run(TrainingObserver?, CancellationToken)"/>'s loop, for callers that take the epochs one
    /// at a time: trains the rest of the current epoch, then evaluates the evaluation set. Returns null when
    /// <paramref name="cancel"/> stops it between two batches; <see cref="Position"/> then says where. Throws
    /// <see cref="TrainingDivergedException"/> when the divergence guard trips. With N ranks a stop is agreed in each
    /// step's all-reduce: when any rank's <paramref name="cancel"/> is set, every rank stops after the next batch.
    /// <paramref name="onBatch"/> receives the number of examples of each finished batch.
    /// </summary>
    public EpochReport? RunEpoch(CancellationToken cancel = default, Action<int>? onBatch = null)
    {
        IBackend backend = _network.Backend;
        Dataset train = _train.Data;
        int batch = _options.BatchSize;
        if (_batch == 0)
        {
            _network.TakeMetrics();
            _epochShuffleState = _shuffle.State;
        }
        RunningLoss = double.NaN;
        // The order is drawn afresh from the generator's state at the epoch's start, so a resumed epoch sees the same
        // order as an uninterrupted one.
        for (int i = 0; i < _orderHost.Length; i++)
        {
            _orderHost[i] = i;
        }
        if (_options.Shuffle)
        {
            _shuffle.State = _epochShuffleState;
            _shuffle.Shuffle(_orderHost);
        }
        _batches.SetOrder(_orderHost);
        if (_divergence is { ReferenceLoss: null })
        {
            _divergence.SetReference(SampleLoss());
        }
        int windowBatches = DivergenceGuard.WindowBatches(BatchesPerEpoch);

        var clock = Stopwatch.StartNew();
        int samples = 0;
        _cancel = cancel;
        for (; _batch < BatchesPerEpoch; _batch++)
        {
            if (_ranks.Size == 1 ? cancel.IsCancellationRequested : _stopAgreed)
            {
                _stopAgreed = false;
                if (_ranks.Size > 1)
                {
                    // rank 0 takes the running sums of all ranks, so its Position (the checkpoint) holds the epoch's
                    (double lossSoFar, double correctSoFar) = TakeMetrics();
                    _network.SetMetrics(_ranks.Rank == 0 ? lossSoFar : 0, _ranks.Rank == 0 ? correctSoFar : 0);
                }
                backend.Synchronize();
                return null;
            }
            int first = _batch * batch;
            int rows = Math.Min(batch, train.Count - first);
            TrainBatch(first, rows);
            samples += rows;
            // windows counted from the epoch's first batch, so a run resumed within an epoch checks where it would have
            if (_divergence is not null && ((_batch + 1) % windowBatches == 0 || _batch + 1 == BatchesPerEpoch))
            {
                CheckDivergence(first + rows);
            }
            onBatch?.Invoke(rows);
        }
        (double lossSum, double correct) = TakeMetrics();
        clock.Stop();
        if (_ranks.Size > 1)
        {
            RequireRanksAgree();
        }
        _epoch++;
        _batch = 0;
        _epochShuffleState = _shuffle.State; // where the next epoch's order will be drawn from
        (double evalLoss, double evalAccuracy) = _evaluation is null ? (double.NaN, double.NaN) : Evaluation.Run(_network, _evaluation, _ranks);
        return new EpochReport(_epoch, lossSum / train.Count, Accuracy(train, correct), evalLoss, evalAccuracy,
            clock.Elapsed.TotalSeconds, samples, _network.Optimizer.LearningRate);
    }

    // One step on the rows first..first+rows of the epoch's order. On one rank a batch that fits the micro-batch size
    // is one plain step; otherwise this rank's slice of the batch (all of it on one rank) is taken as micro-batches,
    // each gradient weighted by its rows / the batch's rows and summed, the ranks' sums are all-reduced, and every rank
    // takes the same one step. Per layer, the last micro-batch's backward pass starts each layer's all-reduce.
    private void TrainBatch(int first, int rows)
    {
        int micro = _micro;
        if (_ranks.Size == 1 && rows <= micro)
        {
            (BufferView x, BufferView t) = _batches.Take(first, rows);
            _network.TrainBatch(x, t, rows);
            return;
        }
        (int offset, int count) = Communicators.Slice(rows, _ranks.Size, _ranks.Rank);
        if (_onePass)
        {
            TrainShare(first, rows, offset, count);
            return;
        }
        if (count == 0)
        {
            _network.Backend.Fill(0, _network.AccumulatedGradients);
            for (int l = _network.Spec.Layers.Count - 1; l >= 0; l--)
            {
                _startBucket?.Invoke(l); // a rank without rows still takes part in every layer's all-reduce
            }
        }
        for (int done = 0; done < count; done += micro)
        {
            int take = Math.Min(micro, count - done);
            (BufferView x, BufferView t) = _batches.Take(first + offset + done, take);
            _network.AccumulateGradients(x, t, take, rows, first: done == 0, firstRow: offset + done,
                layerDone: done + take == count ? _startBucket : null);
        }
        if (_buckets is not null)
        {
            _stopAgreed = _buckets.Finish();
        }
        else if (_ranks.Size > 1)
        {
            SumOverRanks(_network.AccumulatedGradients);
        }
        _network.StepAccumulated();
    }

    // A data-parallel step whose slice is one pass: the rank's share of the batch gradient is written by the backward
    // pass itself (weighted in the loss gradient) and summed over the ranks where it lies, with no accumulator and, on
    // a CPU backend, no host copy: a pass over the gradient less, and two gradient-sized buffers less in each rank's
    // cache.
    private void TrainShare(int first, int rows, int offset, int count)
    {
        if (count == 0)
        {
            _network.Backend.Fill(0, _network.Gradients);
            for (int l = _network.Spec.Layers.Count - 1; l >= 0; l--)
            {
                _startBucket?.Invoke(l); // a rank without rows still takes part in every layer's all-reduce
            }
        }
        else
        {
            (BufferView x, BufferView t) = _batches.Take(first + offset, count);
            _network.ComputeGradientShare(x, t, count, rows, offset, _startBucket);
        }
        if (_buckets is not null)
        {
            _stopAgreed = _buckets.Finish();
        }
        else if (_reduced is not null)
        {
            SumOverRanks(_network.Gradients);
        }
        else
        {
            SumInPlace();
        }
        _network.Step();
    }

    // The flat all-reduce of the trained gradient where it lies, in the backend's host memory, then of the stop flag
    // (a second, one-float all-reduce: the ranks are in step by then, and the gradient buffer keeps its size).
    private void SumInPlace()
    {
        _network.Backend.Synchronize();
        Span<float> flag = _flag;
        flag[0] = _cancel.IsCancellationRequested ? 1 : 0;
        long start = Stopwatch.GetTimestamp();
        _ranks.AllReduceSum(_network.Gradients.Slice(0, _network.TrainableCount).AsSpan());
        _ranks.AllReduceSum(flag);
        _allReduceTicks += Stopwatch.GetTimestamp() - start;
        _stopAgreed = flag[0] > 0;
    }

    // The all-reduced gradient sum, through the host. A request to stop travels in the same all-reduce, so all ranks
    // stop before the same batch whichever of them saw it.
    private void SumOverRanks(BufferView gradient)
    {
        float[] reduced = _reduced!;
        int n = _network.TrainableCount;
        _network.Backend.Download(gradient.Slice(0, n), reduced.AsSpan(0, n));
        reduced[n] = _cancel.IsCancellationRequested ? 1 : 0;
        long start = Stopwatch.GetTimestamp();
        _ranks.AllReduceSum(reduced);
        _allReduceTicks += Stopwatch.GetTimestamp() - start;
        _stopAgreed = reduced[n] > 0;
        _network.Backend.Upload(reduced.AsSpan(0, n), gradient.Slice(0, n));
    }

    // The ranks' parameters and optimizer state compared, through a 128-bit XxHash of the two one after the other,
    // hashed where they lie on a CPU backend, otherwise through one host buffer kept for it: a copy of both, and each
    // epoch's arrays the size of the model, would cost a rank as much as a step's all-reduce. The hash guards against
    // drift, not an adversary, so it need not be cryptographic: SHA-256 took 4.5 ms for 7.45 MB, XxHash128 0.25 ms.
    private void RequireRanksAgree()
    {
        _checksum ??= new XxHash128();
        IBackend backend = _network.Backend;
        backend.Synchronize();
        foreach (BufferView values in (ReadOnlySpan<BufferView>)[_network.Parameters, _network.OptimizerState])
        {
            if (values.IsEmpty)
            {
                continue;
            }
            if (values.Buffer is CpuFloatBuffer)
            {
                _checksum.Append(MemoryMarshal.AsBytes(values.AsSpan()));
                continue;
            }
            _checksumHost ??= new float[Math.Max(_network.Parameters.Length, _network.OptimizerState.Length)];
            backend.Download(values, _checksumHost.AsSpan(0, values.Length));
            _checksum.Append(MemoryMarshal.AsBytes(_checksumHost.AsSpan(0, values.Length)));
        }
        Span<byte> hash = stackalloc byte[16];
        _checksum.GetHashAndReset(hash);
        Communicators.RequireSameHash(_ranks, hash, $"after epoch {_epoch + 1}, the parameters and optimizer state");
    }

    // The epoch's (loss sum, correct count) over all ranks' slices; reset to zero.
    private (double LossSum, double Correct) TakeMetrics()
    {
        (double loss, double correct) = _network.TakeMetrics();
        double[] sums = [loss, correct];
        Communicators.SumInRankOrder(_ranks, sums);
        return (sums[0], sums[1]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _train.Dispose();
        _evaluation?.Dispose();
        _batches.Dispose();
    }

    // The mean loss of the current parameters on the first examples of the epoch's order; the metric sums are kept.
    private double SampleLoss()
    {
        (double savedLoss, double savedCorrect) = _network.TakeMetrics();
        int count = Math.Min(DivergenceGuard.ReferenceExamples, _train.Data.Count);
        for (int first = 0; first < count; first += _micro)
        {
            int rows = Math.Min(_micro, count - first);
            (BufferView x, BufferView t) = _batches.Take(first, rows);
            _network.EvaluateBatch(x, t, rows);
        }
        (double lossSum, _) = _network.TakeMetrics();
        _network.SetMetrics(savedLoss, savedCorrect);
        return lossSum / count;
    }

    // Judges the mean loss of the epoch so far, the first rowsSoFar rows of its order. The running sum is what the
    // network keeps anyway; a difference of two sums would lose a window's loss to float rounding after a blow-up.
    private void CheckDivergence(int rowsSoFar)
    {
        double[] sum = [_network.PeekMetrics().LossSum];
        Communicators.SumInRankOrder(_ranks, sum);
        RunningLoss = sum[0] / rowsSoFar;
        if (_divergence!.Observe(RunningLoss) is string reason)
        {
            throw new TrainingDivergedException($"training diverged in epoch {_epoch + 1} at batch {_batch + 1}: {reason}",
                _epoch + 1, _batch + 1);
        }
    }

    internal static double Accuracy(Dataset data, double correct) =>
        data.IsClassification ? correct / data.Count : double.NaN;

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
