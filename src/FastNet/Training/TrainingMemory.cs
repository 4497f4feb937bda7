using System.Globalization;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Kernels.Simd;
using FastNet.Model;

namespace FastNet.Training;

/// <summary>
/// What a run will allocate, item by item, in bytes, computed from the sizes before anything is allocated, in checked
/// 64-bit arithmetic so that no size can wrap. The device items live on the backend, which is host memory for the CPU
/// backends; the host model lives in host memory on every backend.
/// </summary>
/// <param name="Parameters">Weights and biases: 4 bytes each.</param>
/// <param name="Gradients">One gradient per parameter, and with gradient accumulation one more per trained parameter
/// for the sum.</param>
/// <param name="OptimizerState">The optimizer's slots (<see cref="OptimizerStep.StateSlots"/>) per trained
/// parameter.</param>
/// <param name="ActivationsAndDeltas">One activation and one delta buffer per layer (and Z, or the dropped A, where a
/// layer keeps them), each [batch, units], where batch is the micro-batch with gradient accumulation.</param>
/// <param name="Batch">The gathered batch's features and targets, and the network's metric sums (pairs of loss and
/// correct count, one per Loss call until they are read).</param>
/// <param name="Dataset">The datasets copied to the backend: features (except a compact set's, which stay on the host
/// as bytes), targets and, for training, one row index per example (the shuffled order); for a compact evaluation set,
/// the buffer its rows are uploaded to, a batch at a time.</param>
/// <param name="Scratch">The backend's own working buffers: the SIMD backend packs one GEMM operand at a time (at most
/// a layer's weights or its batch of activations, columns rounded up to a 32-wide micro-panel, and a panel more per
/// further thread where each packs its own), per thread a block of A and a tile, and at batch 1 a row of partial sums
/// per chunk of a layer's rows; an upper bound, as the buffers grow to the largest product run.</param>
/// <param name="HostModel">The host copy of the parameters the network is built from (counted also when it has been
/// read already: a margin of one parameter vector).</param>
/// <param name="HostBatch">For a compact set, the float batch its rows are scaled into on the host before they are
/// uploaded (one for the training batches, one for an evaluation set's rows). The compact bytes themselves are the
/// data as loaded, like a float set's host copy, and not counted.</param>
/// <param name="HostOutputs">For an evaluation, the model's outputs for every row, downloaded to the host for the
/// metrics, and a classification set's predicted class per row.</param>
public sealed record TrainingMemory(long Parameters, long Gradients, long OptimizerState, long ActivationsAndDeltas,
    long Batch, long Dataset, long Scratch, long HostModel, long HostBatch = 0, long HostOutputs = 0)
{
    private const int FloatBytes = sizeof(float), MetricFloats = TrainingNetwork.MetricFloats;

    // the SIMD GEMM's widest micro-panel
    private const int PanelWidth = 32;

    /// <summary>The largest single buffer: its floats, which a buffer indexes by <see cref="int"/>.</summary>
    public long LargestBufferFloats { get; init; }

    /// <summary>What the largest buffer holds, e.g. "the optimizer state".</summary>
    public string LargestBufferName { get; init; } = "";

    /// <summary>The items on the backend.</summary>
    public long DeviceBytes => checked(Parameters + Gradients + OptimizerState + ActivationsAndDeltas + Batch + Dataset
        + Scratch);

    /// <summary>The items on the host.</summary>
    public long HostBytes => checked(HostModel + HostBatch + HostOutputs);

    /// <summary>All items.</summary>
    public long TotalBytes => checked(DeviceBytes + HostBytes);

    /// <summary>
    /// Training <paramref name="spec"/> with <paramref name="optimizer"/> in batches of <paramref name="batch"/> on
    /// <paramref name="train"/>, evaluating on <paramref name="evaluation"/>, as <see cref="TrainingNetwork"/> and
    /// <see cref="Trainer"/> allocate it. With <paramref name="accumulate"/> K &gt; 1 each batch is taken as micro-batches
    /// of ⌈batch/K⌉ rows (<see cref="TrainingOptions.Accumulate"/>): the per-row buffers are sized by those. A hidden
    /// layer with a drop rate above 0 in <paramref name="dropout"/> keeps one more activation buffer (the dropped A).
    /// </summary>
    public static TrainingMemory ForTraining(IBackend backend, NetworkSpec spec, OptimizerKind optimizer,
        bool trainBiases, int batch, Dataset train, Dataset? evaluation, int accumulate = 1,
        IReadOnlyList<double>? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        return ForTraining(backend, spec, optimizer, trainBiases, batch, train.Count, evaluation?.Count ?? 0,
            accumulate, train.IsCompact, evaluation?.IsCompact ?? false, dropout);
    }

    /// <summary>Training as above on <paramref name="trainRows"/> examples, evaluating on
    /// <paramref name="evaluationRows"/>, each row holding the network's inputs and outputs; a compact set
    /// (<paramref name="compactTrain"/>, <paramref name="compactEvaluation"/>) keeps its features on the host.</summary>
    public static TrainingMemory ForTraining(IBackend backend, NetworkSpec spec, OptimizerKind optimizer,
        bool trainBiases, int batch, long trainRows, long evaluationRows, int accumulate = 1, bool compactTrain = false,
        bool compactEvaluation = false, IReadOnlyList<double>? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(accumulate);
        long trainable = trainBiases ? spec.ParameterCount : spec.WeightCount;
        int micro = (batch + accumulate - 1) / accumulate;
        long accumulated = micro < batch ? trainable : 0;
        batch = micro; // every per-row buffer holds one micro-batch
        long state = checked(OptimizerStep.StateSlots(optimizer) * trainable);
        long batchFeatures = (long)batch * spec.Inputs, batchTargets = (long)batch * spec.Outputs;
        // features and targets per row, and for training one row index each (the shuffled order); a compact set's
        // features stay on the host, and an evaluation set's rows go through a batch buffer
        bool evaluationRowsBuffer = compactEvaluation && evaluationRows > 0;
        long dataset = checked((trainRows * ((compactTrain ? 0 : spec.Inputs) + spec.Outputs + 1L))
            + (evaluationRows * ((compactEvaluation ? 0 : spec.Inputs) + (long)spec.Outputs))
            + (evaluationRowsBuffer ? batchFeatures : 0));
        long hostBatch = (compactTrain ? batchFeatures : 0) + (evaluationRowsBuffer ? batchFeatures : 0);
        // a deferred first-layer step's copy of its input, and the index of the gather that copies it
        long pendingInput = TrainingNetwork.DefersFirstLayerStep(backend, optimizer, batch) ? spec.Inputs + 1L : 0;
        (string, long) largest = Largest(spec, batch, ("the optimizer state", state),
            ("the batch's features", batchFeatures), ("the batch's targets", batchTargets));
        return new TrainingMemory(
            Parameters: Bytes(spec.ParameterCount),
            Gradients: Bytes(checked(spec.ParameterCount + accumulated)),
            OptimizerState: Bytes(state),
            ActivationsAndDeltas: Bytes(LayerFloats(spec, batch, dropout)),
            Batch: Bytes(checked(batchFeatures + batchTargets + MetricFloats + pendingInput)),
            Dataset: Bytes(dataset),
            Scratch: Bytes(ScratchFloats(backend, spec, batch)),
            HostModel: Bytes(spec.ParameterCount),
            HostBatch: Bytes(hostBatch))
        {
            LargestBufferName = largest.Item1,
            LargestBufferFloats = largest.Item2,
        };
    }

    /// <summary>
    /// Evaluating <paramref name="spec"/> on <paramref name="data"/> in batches of <paramref name="batch"/> as
    /// <c>fastnet eval</c> does: a network for the loss and one for the predictions, both plain SGD (no optimizer
    /// state), and the dataset on the backend; on the host, the predictions' rows a chunk at a time and their outputs
    /// for every row (with a classification set's predicted classes).
    /// </summary>
    public static TrainingMemory ForEvaluation(IBackend backend, NetworkSpec spec, int batch, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(data);
        long batchFeatures = (long)batch * data.FeatureCount;
        (string, long) largest = Largest(spec, batch, ("the batch's features", batchFeatures));
        // a compact set's rows are scaled into a host batch and uploaded to a buffer of one batch
        long features = data.IsCompact ? batchFeatures : (long)data.Count * data.FeatureCount;
        // the predictions are kept whole for the metrics: rows × outputs floats, and an int class per row
        long outputs = checked(((long)data.Count * spec.Outputs) + (data.IsClassification ? data.Count : 0));
        return new TrainingMemory(
            Parameters: Bytes(2L * spec.ParameterCount),
            Gradients: Bytes(2L * spec.ParameterCount),
            OptimizerState: 0,
            ActivationsAndDeltas: Bytes(checked(2 * LayerFloats(spec, batch))),
            Batch: Bytes(checked(batchFeatures + (2 * MetricFloats))),
            Dataset: Bytes(features + data.Targets.Length),
            Scratch: Bytes(ScratchFloats(backend, spec, batch)),
            HostModel: Bytes(spec.ParameterCount),
            HostBatch: Bytes(batchFeatures + (data.IsCompact ? batchFeatures : 0)),
            HostOutputs: Bytes(outputs))
        {
            LargestBufferName = largest.Item1,
            LargestBufferFloats = largest.Item2,
        };
    }

    /// <summary>
    /// Throws <see cref="NotEnoughMemoryException"/> when the run does not fit in the memory available now
    /// (<see cref="AvailableMemory"/>): on a device, its items against the device's free memory and the host model
    /// against the host's; on a CPU backend, everything against the host's. Then throws <see cref="ArgumentException"/>
    /// when one buffer would hold more floats than a buffer can index.
    /// </summary>
    public void EnsureFits(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        EnsureFits(AvailableMemory.HostBytes(), AvailableMemory.DeviceBytes(backend), backend.Name);
    }

    /// <summary><see cref="EnsureFits(IBackend)"/> against given free memory: <paramref name="deviceBytes"/> null
    /// means the backend computes in host memory.</summary>
    public void EnsureFits(long hostBytes, long? deviceBytes, string backendName)
    {
        if (deviceBytes is null)
        {
            if (TotalBytes > hostBytes)
            {
                throw new NotEnoughMemoryException(
                    $"not enough memory: the run needs {GiB(TotalBytes)} ({Breakdown()}), {GiB(hostBytes)} available; "
                    + "use a smaller network or batch");
            }
            EnsureBuffersFit();
            return;
        }
        if (DeviceBytes > deviceBytes)
        {
            throw new NotEnoughMemoryException(
                $"not enough device memory: the run needs {GiB(DeviceBytes)} on the {backendName} device ({Breakdown()}), "
                + $"{GiB(deviceBytes.Value)} free there; use a smaller network or batch");
        }
        if (HostBytes > hostBytes)
        {
            throw new NotEnoughMemoryException(
                $"not enough memory: {HostItems()} on the host, {GiB(hostBytes)} available");
        }
        EnsureBuffersFit();
    }

    /// <summary>The non-zero items in GiB, e.g. "parameters 6.0 GiB, gradients 6.0 GiB".</summary>
    public string Breakdown() => string.Join(", ", new (string Name, long Bytes)[]
    {
        ("parameters", Parameters), ("gradients", Gradients), ("optimizer state", OptimizerState),
        ("activations and deltas", ActivationsAndDeltas), ("batch", Batch), ("dataset", Dataset),
        ("backend scratch", Scratch), ("host model", HostModel), ("host batch", HostBatch), ("host outputs", HostOutputs),
    }.Where(item => item.Bytes > 0).Select(item => $"{item.Name} {GiB(item.Bytes)}"));

    // "the model needs 5.97 GiB", "the model, the batch and the outputs need 6.10 GiB"
    private string HostItems()
    {
        string[] items = [.. new[] { ("the model", HostModel), ("the batch", HostBatch), ("the outputs", HostOutputs) }
            .Where(item => item.Item2 > 0).Select(item => item.Item1)];
        string named = items.Length <= 1 ? string.Concat(items)
            : string.Join(", ", items[..^1]) + " and " + items[^1];
        return $"{named} {(items.Length > 1 ? "need" : "needs")} {GiB(HostBytes)}";
    }

    // a buffer is indexed by int: refuse a size that cannot be allocated rather than let it wrap
    private void EnsureBuffersFit()
    {
        if (LargestBufferFloats > int.MaxValue)
        {
            throw new ArgumentException($"{LargestBufferName} would be one buffer of {LargestBufferFloats} floats, more "
                + $"than the {int.MaxValue} a buffer can hold; use a smaller network or batch");
        }
    }

    /// <summary>Bytes in GiB with two decimals, e.g. "5.97 GiB".</summary>
    internal static string GiB(long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB");

    private static long Bytes(long floats) => checked(floats * FloatBytes);

    // one activation and one delta buffer per layer
    private static long LayerFloats(NetworkSpec spec, int batch, IReadOnlyList<double>? dropout = null)
    {
        long floats = 0;
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            // A and ∂L/∂A, Z when the activation's derivative needs it, the dropped A when the layer drops
            int perUnit = (spec.Layers[l].Activation.NeedsPreActivation ? 3 : 2)
                + (dropout is not null && l < dropout.Count && dropout[l] > 0 ? 1 : 0);
            floats = checked(floats + ((long)perUnit * batch * spec.Layers[l].Units));
        }
        return floats;
    }

    private static long ScratchFloats(IBackend backend, NetworkSpec spec, int batch)
    {
        if (backend is not SimdBackend simd)
        {
            return 0;
        }
        long packed = 0, depth = 0;
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            long inputs = spec.InputsOf(l), units = spec.Layers[l].Units;
            // X·W and Xᵀ·dZ take B with the units as columns, dZ·Wᵀ with the inputs as columns
            packed = Math.Max(packed, Math.Max(Panels(units) * Math.Max(inputs, batch), Panels(inputs) * units));
            depth = Math.Max(depth, Math.Max(Math.Max(inputs, units), batch));
        }
        // B's buffer holds all its panels for all threads, or in a region per thread each one's share of them: at most
        // all of them and one more panel of the deepest product per further thread
        int threads = Environment.ProcessorCount;
        packed += (threads - 1) * PanelWidth * depth;
        // a batch-1 layer's partial sums, one row of outputs per chunk of its rows
        long partials = Enumerable.Range(0, spec.Layers.Count)
            .Max(l => (long)SimdBackend.PerExampleRowChunks(spec.InputsOf(l), spec.Layers[l].Units) * spec.Layers[l].Units);
        // the second half's products of a forward pass split by halves of W's rows
        long depthHalves = Enumerable.Range(0, spec.Layers.Count)
            .Max(l => SimdBackend.DepthHalvesFloats(batch, spec.InputsOf(l), spec.Layers[l].Units, l == 0));
        // the backward sweep's packed dZ (two layouts) and first-layer Xᵀ, each buffer as large as its largest layer's
        var sweeps = Enumerable.Range(0, spec.Layers.Count)
            .Select(l => SimdBackend.SweepFloats(batch, spec.InputsOf(l), spec.Layers[l].Units, l == 0)).ToList();
        long sweep = sweeps.Max(f => f.DeltaAsA) + sweeps.Max(f => f.DeltaAsB) + sweeps.Max(f => f.InputsAsA);
        // and per thread its own blocks and tiles, as the kernels size them
        return checked(packed + 16 + partials + depthHalves + sweep + (threads * simd.ThreadScratchBytes / FloatBytes));
    }

    private static long Panels(long columns) => (columns + PanelWidth - 1) / PanelWidth * PanelWidth;

    // the largest of the per-layer activation buffers and the other buffers named
    private static (string Name, long Floats) Largest(NetworkSpec spec, int batch, params (string Name, long Floats)[] others) =>
        spec.Layers.Select((layer, l) => ($"layer {l}'s activations", (long)batch * layer.Units))
            .Concat(others)
            .MaxBy(buffer => buffer.Item2);
}
