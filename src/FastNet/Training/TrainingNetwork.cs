using FastNet.Kernels;
using FastNet.Kernels.Cpu;
using FastNet.Model;

namespace FastNet.Training;

/// <summary>
/// A network on a backend, ready to train: parameters, gradients and optimizer state as flat buffers, and one
/// activation and one delta buffer per layer sized for the largest batch, and, for gradient accumulation, one more
/// gradient buffer for the sum. Everything is allocated here, once; a training step only launches backend ops on
/// these buffers.
/// </summary>
public sealed class TrainingNetwork : IDisposable
{
    private readonly IBackend _backend;
    private readonly FloatBuffer _parameters, _gradients, _state, _metrics;
    private readonly FloatBuffer? _accumulated;
    private readonly FloatBuffer[] _activations, _deltas;
    private readonly FloatBuffer?[] _preActivations; // Z, for the layers whose activation needs it (GELU)
    private readonly FloatBuffer?[] _dropped; // A after dropout, the next layer's input, for the layers that drop
    private readonly (int Offset, int Count)[][] _trainableSlices; // by layer
    private int _accumulatedRows; // rows of the current accumulation cycle so far: the next micro-batch's first row
    // The per-layer sum of AccumulateGradients: one delegate made here, the micro-batch's weight and the caller's
    // callback in fields, so that a step allocates nothing (a lambda would allocate its closure on every call).
    private readonly Action<int> _accumulateLayer;
    private double _layerWeight;
    private Action<int>? _layerDone;
    // The loss sum and correct count so far, in float64. Each Loss call adds its rows' float sums to a pair of
    // _metrics of its own (MetricSlots pairs, used in turn), and the pairs are added here in order when all are used
    // or the sums are read: the sums are those of adding each call's in float64, whenever they are read (a
    // checkpoint's are a resumed run's). A float32 sum over an epoch lost small losses after large ones, its spacing
    // growing with it, and counted no further than 2^24 one row at a time.
    private const int MetricSlots = 64;

    /// <summary>Floats of the backend's metric buffer: the (loss sum, correct count) pairs of the Loss calls since the
    /// sums were last read.</summary>
    public const int MetricFloats = 2 * MetricSlots;

    private readonly float[] _metricsHost = new float[MetricFloats];
    private double _lossSum, _correct;
    private int _metricSlotsUsed;
    // parameters in host memory: a batch's SGD step is taken layer by layer (TrainBatch); a device would pay launches
    // for it instead and keeps the one pass over all parameters
    private readonly bool _hostParameters;
    // Per-example SGD leaves the first layer's DenseBackwardSgdStep to the next example's forward pass, which takes both
    // in one sweep over W (IBackend.DenseBackwardSgdStepThenForward). Until then the step is pending: its input is
    // copied here (the caller may reuse x), its dZ waits in the layer's delta buffer and its A in the activations. The
    // next pass through the first layer takes it (Forward, which every pass goes through); every other member that
    // reads or writes parameters, optimizer state, activations or deltas applies it first (Settle).
    private readonly FloatBuffer? _pendingInput;
    private readonly IndexBuffer? _firstRow; // [0]: the gather that copies one row
    // SGD on batches in host memory leaves the step of the first layer's weights (not of its biases) to the next
    // forward pass in the same way (IBackend.SgdStepThenDenseForward), its dW pending in the gradient buffer.
    private readonly bool _defersFirstLayerWeights;
    private OptimizerStep _pendingStep;
    private bool _pending;

    /// <summary>
    /// Puts <paramref name="model"/> on <paramref name="backend"/> for batches of up to <paramref name="maxBatch"/>
    /// rows. With <paramref name="trainBiases"/> false the optimizer steps only the weights, leaving biases fixed.
    /// With <paramref name="accumulates"/> the network can also take a step on a batch larger than its buffers, given
    /// as micro-batches (<see cref="AccumulateGradients"/>, <see cref="StepAccumulated"/>). With
    /// <paramref name="dropout"/> the training passes drop hidden units (<see cref="DropoutRates"/>); evaluation never
    /// does. <paramref name="rates"/> gives each optimizer step its learning rate (the run's
    /// <see cref="TrainingOptions.LearningRates"/>); without it every step takes the optimizer's base rate.
    /// </summary>
    public TrainingNetwork(IBackend backend, Model.Model model, LossKind loss, OptimizerSettings optimizer,
        int maxBatch, bool trainBiases = true, bool accumulates = false, DropoutRates? dropout = null,
        LearningRatePlan? rates = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        NetworkSpec spec = model.Spec;
        if (spec.LossMismatch(loss) is string mismatch)
        {
            throw new ArgumentException(mismatch);
        }
        if (dropout is not null && dropout.Rates.Count != spec.Layers.Count - 1)
        {
            throw new ArgumentException(
                $"dropout: {dropout.Rates.Count} rates for {spec.Layers.Count - 1} hidden layers", nameof(dropout));
        }
        _backend = backend;
        Spec = spec;
        Dropout = dropout is { Any: true } ? dropout : null;
        Loss = loss;
        MaxBatch = maxBatch;
        Optimizer = new OptimizerClock(optimizer, rates);
        TrainableCount = trainBiases ? spec.ParameterCount : spec.WeightCount;

        _accumulateLayer = AccumulateLayer;
        _trainableSlices = [.. spec.Layers.Select((layer, l) =>
        {
            (int, int) weights = (spec.WeightOffset(l), spec.InputsOf(l) * layer.Units);
            return layer.HasBias && spec.BiasOffset(l) < TrainableCount
                ? new[] { weights, (spec.BiasOffset(l), layer.Units) }
                : [weights];
        })];
        _parameters = backend.Allocate(spec.ParameterCount);
        _gradients = backend.Allocate(spec.ParameterCount);
        _state = backend.Allocate(checked(OptimizerStep.StateSlots(Optimizer.Settings.Kind) * TrainableCount));
        _metrics = backend.Allocate(MetricFloats);
        backend.Fill(0, _metrics.All);
        _accumulated = accumulates ? backend.Allocate(TrainableCount) : null;
        _activations = [.. spec.Layers.Select(l => backend.Allocate(checked(maxBatch * l.Units)))];
        _deltas = [.. spec.Layers.Select(l => backend.Allocate(checked(maxBatch * l.Units)))];
        _preActivations = [.. spec.Layers.Select(l =>
            l.Activation.NeedsPreActivation ? backend.Allocate(checked(maxBatch * l.Units)) : null)];
        _dropped = [.. spec.Layers.Select((l, i) =>
            Drops(i) ? backend.Allocate(checked(maxBatch * l.Units)) : null)];
        backend.Upload(model.Parameters, _parameters.All);
        _hostParameters = _parameters.All.Buffer is CpuFloatBuffer;
        if (DefersFirstLayerStep(backend, Optimizer.Settings.Kind, maxBatch))
        {
            _pendingInput = backend.Allocate(spec.Inputs);
            _firstRow = backend.AllocateIndices(1);
            backend.UploadIndices([0], _firstRow);
        }
        _defersFirstLayerWeights = _hostParameters && Optimizer.Settings.Kind == OptimizerKind.Sgd && maxBatch > 1;
    }

    /// <summary>
    /// Whether a network on <paramref name="backend"/> leaves each per-example step's first-layer update to the next
    /// example's forward pass, which takes both in one sweep over the weights, keeping a copy of the example's input
    /// until then: plain SGD with buffers for one row, on a CPU backend (a device would pay a launch for the copy).
    /// </summary>
    public static bool DefersFirstLayerStep(IBackend backend, OptimizerKind optimizer, int maxBatch) =>
        optimizer == OptimizerKind.Sgd && maxBatch == 1 && backend is not IDeviceCounters;

    /// <summary>
    /// Whether each batch's SGD step leaves the update of the first layer's weights to the next forward pass through
    /// the layer (<see cref="IBackend.SgdStepThenDenseForward"/>), which a CPU backend can take while it reads W
    /// anyway: plain SGD on batches with the parameters in host memory; except a batch whose first-layer step the
    /// backend fuses without writing dW (<see cref="IBackend.FusesBackwardSgdStep"/>), which is taken at once.
    /// Everything that reads or writes the parameters applies a pending update first, as for
    /// <see cref="DefersFirstLayerStep"/>.
    /// </summary>
    public bool DefersFirstLayerWeights => _defersFirstLayerWeights;

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The loss trained on.</summary>
    public LossKind Loss { get; }

    /// <summary>The largest batch the buffers hold.</summary>
    public int MaxBatch { get; }

    /// <summary>Whether the network holds a sum of micro-batch gradients (<see cref="AccumulateGradients"/>).</summary>
    public bool Accumulates => _accumulated is not null;

    /// <summary>The dropout of the training passes; null when no layer drops.</summary>
    public DropoutRates? Dropout { get; }

    /// <summary>The optimizer's step count, scalars and learning-rate plan.</summary>
    public OptimizerClock Optimizer { get; }

    /// <summary>Parameters the optimizer updates: all of them, or the weights only when biases are fixed.</summary>
    public int TrainableCount { get; }

    /// <summary>The backend computing.</summary>
    public IBackend Backend => _backend;

    /// <summary>The flat gradient of the last <see cref="ComputeGradients"/> (all parameters).</summary>
    public BufferView Gradients => Settled(_gradients.All);

    /// <summary>The gradient sum of the current accumulation cycle ([TrainableCount]); empty without
    /// accumulation.</summary>
    public BufferView AccumulatedGradients => _accumulated?.All ?? BufferView.Empty;

    /// <summary>The flat parameters.</summary>
    public BufferView Parameters => Settled(_parameters.All);

    /// <summary>Layer <paramref name="layer"/>'s activations A from the last forward pass ([MaxBatch, units]; the
    /// first rows of that pass are valid).</summary>
    public BufferView Activations(int layer) => Settled(_activations[layer].All);

    /// <summary>Layer <paramref name="layer"/>'s dZ = ∂L/∂Z from the last backward pass ([MaxBatch, units]).</summary>
    public BufferView Deltas(int layer) => Settled(_deltas[layer].All);

    /// <summary>Layer <paramref name="layer"/>'s pre-activations Z from the last forward pass ([MaxBatch, units]),
    /// kept only where the activation's derivative needs them (GELU); empty for every other layer.</summary>
    public BufferView PreActivations(int layer) => Settled(_preActivations[layer]?.All ?? BufferView.Empty);

    /// <summary>Forward pass of <paramref name="rows"/> rows of <paramref name="x"/> ([rows, inputs]); returns the
    /// output layer's activations ([rows, outputs], logits for cross-entropy).</summary>
    public BufferView Forward(BufferView x, int rows) => Forward(x, rows, dropFirstRow: null);

    // The forward pass. In training (dropFirstRow set: the rows are rows dropFirstRow.. of the step's batch) each
    // dropping layer's A, kept undropped since f'(A) needs it, is copied through its mask into the next layer's input.
    // A pending first-layer step is taken here, fused with the first layer's forward pass: so every pass (training,
    // evaluation, gradients) sees the parameters of the steps taken whole. A network that defers holds one row.
    private BufferView Forward(BufferView x, int rows, int? dropFirstRow)
    {
        CheckRows(rows);
        BufferView input = x;
        for (int l = 0; l < Spec.Layers.Count; l++)
        {
            LayerSpec layer = Spec.Layers[l];
            BufferView a = _activations[l].Slice(0, rows * layer.Units);
            if (l == 0 && _pending)
            {
                TakePendingStepThenForward(x, rows);
            }
            else
            {
                _backend.DenseForward(input, Weights(l), Biases(l), rows, Spec.InputsOf(l), layer.Units,
                    layer.Activation, a, PreActivations(l, rows));
            }
            input = a;
            if (dropFirstRow is int first && Drops(l))
            {
                input = LayerInput(l, rows);
                _backend.Dropout(a, Mask(l, first, layer.Units), input);
            }
        }
        return input;
    }

    // what layer l hands the next layer: its A, or A through the dropout mask
    private BufferView LayerInput(int l, int rows) =>
        (_dropped[l] ?? _activations[l]).Slice(0, rows * Spec.Layers[l].Units);

    private bool Drops(int l) => Dropout is { } d && d.RateOf(l) > 0;

    // the mask of layer l for the step about to be taken (the clock's count of steps taken so far)
    private DropoutMask Mask(int l, int firstRow, int units) =>
        Dropout!.Mask(Optimizer.Steps, l, firstRow, units);

    // ∂L/∂A from ∂L/∂(dropped A), in place: dropout is linear, its Jacobian the same mask times the same scale
    private void DropoutBackward(int l, int rows, int firstRow)
    {
        if (Drops(l))
        {
            BufferView delta = _deltas[l].Slice(0, rows * Spec.Layers[l].Units);
            _backend.Dropout(delta, Mask(l, firstRow, Spec.Layers[l].Units), delta);
        }
    }

    /// <summary>
    /// Forward and backward pass of a batch: the flat gradient of the batch's mean loss lands in
    /// <see cref="Gradients"/>; the batch's loss sum and correct count are added to the metrics.
    /// </summary>
    public void ComputeGradients(BufferView x, BufferView targets, int rows) => ComputeGradientsFrom(x, targets, rows, 0);

    /// <summary>
    /// Forward and backward pass of rows <paramref name="firstRow"/>.. of a batch of <paramref name="batchRows"/> rows:
    /// <see cref="Gradients"/> gets these rows' share of the batch's mean-loss gradient, ∇(Σ_rows ℓ / batchRows), which
    /// is (rows / batchRows)·∇(mean loss of these rows), what <see cref="AccumulateGradients"/> would sum for them as
    /// the only micro-batch, but weighted inside the loss gradient instead of by a pass over the whole gradient, and
    /// without the sum's buffer. Summing the shares of a partition of the batch (over data-parallel ranks) gives the
    /// batch's gradient for <see cref="Step"/>. Metrics and <paramref name="layerDone"/> as in
    /// <see cref="AccumulateGradients"/>: layerDone(l) runs as soon as layer l's part (<see cref="TrainableSlices"/>)
    /// of Gradients is final.
    /// </summary>
    public void ComputeGradientShare(BufferView x, BufferView targets, int rows, int batchRows, int firstRow,
        Action<int>? layerDone = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, rows);
        ComputeGradientsFrom(x, targets, rows, firstRow, layerDone, batchRows);
    }

    // rows firstRow.. of the step's batch (what keys their dropout masks); layerDone(l), when given, runs as soon as
    // layer l's dW and db are written; the loss's mean is over meanOver rows (0: these rows)
    private void ComputeGradientsFrom(BufferView x, BufferView targets, int rows, int firstRow,
        Action<int>? layerDone = null, int meanOver = 0)
    {
        BufferView output = Forward(x, rows, firstRow);
        int outputs = Spec.Outputs;
        int last = Spec.Layers.Count - 1;
        _backend.Loss(output, targets, rows, outputs, Loss, _deltas[last].Slice(0, rows * outputs), NextMetricSlot(),
            meanOver);
        for (int l = last; l >= 0; l--)
        {
            LayerSpec layer = Spec.Layers[l];
            int inputs = Spec.InputsOf(l);
            DropoutBackward(l, rows, firstRow);
            BufferView input = l == 0 ? x : LayerInput(l - 1, rows);
            BufferView dX = l == 0 ? BufferView.Empty : _deltas[l - 1].Slice(0, rows * inputs);
            BufferView db = layer.HasBias ? _gradients.Slice(Spec.BiasOffset(l), layer.Units) : BufferView.Empty;
            _backend.DenseBackward(input, Weights(l), _activations[l].Slice(0, rows * layer.Units), rows, inputs,
                layer.Units, layer.Activation, _deltas[l].Slice(0, rows * layer.Units),
                _gradients.Slice(Spec.WeightOffset(l), inputs * layer.Units), db, dX, PreActivations(l, rows));
            layerDone?.Invoke(l);
        }
    }

    // Z of the first rows of layer l, or empty when its activation does not keep Z
    private BufferView PreActivations(int l, int rows) =>
        _preActivations[l] is { } z ? z.Slice(0, rows * Spec.Layers[l].Units) : BufferView.Empty;

    /// <summary>Applies one optimizer step with the current gradients.</summary>
    public void Step() => ApplyStep(_gradients.Slice(0, TrainableCount));

    /// <summary>
    /// Adds the gradient of one micro-batch to the sum that <see cref="StepAccumulated"/> applies: G ← G + (rows /
    /// <paramref name="batchRows"/>)·∇(mean loss of these rows), where <paramref name="batchRows"/> is the size of the
    /// whole batch the step is for. So when the micro-batches partition that batch, G is the gradient of its mean
    /// loss, whatever their sizes, as one <see cref="ComputeGradients"/> of it would give (up to the rounding of a
    /// different summation order). <paramref name="first"/> starts a new sum. The rows' loss and correct count are
    /// added to the metrics as usual. <paramref name="firstRow"/> is the micro-batch's first row within the step's
    /// batch, which keys its dropout masks; null continues after the previous micro-batch of this cycle (from 0 when
    /// <paramref name="first"/>). With <paramref name="layerDone"/> the sum is taken layer by layer as the backward
    /// pass goes (the same elementwise sums, so the same bits), and layerDone(l) is called as soon as layer l's part of
    /// it (<see cref="TrainableSlices"/>) is final, output layer first: the moment a data-parallel step can send it.
    /// </summary>
    public void AccumulateGradients(BufferView x, BufferView targets, int rows, int batchRows, bool first,
        int? firstRow = null, Action<int>? layerDone = null)
    {
        if (_accumulated is null)
        {
            throw new InvalidOperationException("this network was built without a gradient accumulation buffer");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, rows);
        int row = firstRow ?? (first ? 0 : _accumulatedRows);
        double weight = (double)rows / batchRows;
        if (layerDone is not null)
        {
            if (first)
            {
                _backend.Fill(0, _accumulated.All);
            }
            (_layerWeight, _layerDone) = (weight, layerDone);
            try
            {
                ComputeGradientsFrom(x, targets, rows, row, _accumulateLayer);
            }
            finally
            {
                _layerDone = null;
            }
            _accumulatedRows = row + rows;
            return;
        }
        ComputeGradientsFrom(x, targets, rows, row);
        _accumulatedRows = row + rows;
        if (first)
        {
            _backend.Fill(0, _accumulated.All);
        }
        _backend.AccumulateScaled(_gradients.Slice(0, TrainableCount), weight, _accumulated.All);
    }

    // layer l's part of the micro-batch's weighted gradient into the sum, then the caller's callback
    private void AccumulateLayer(int l)
    {
        foreach ((int offset, int count) in _trainableSlices[l])
        {
            _backend.AccumulateScaled(_gradients.Slice(offset, count), _layerWeight, _accumulated!.Slice(offset, count));
        }
        _layerDone!(l);
    }

    /// <summary>Where layer <paramref name="layer"/>'s trained parameters lie in the flat parameters (and gradients):
    /// its weights, then its biases when it has them and they are trained.</summary>
    public ReadOnlySpan<(int Offset, int Count)> TrainableSlices(int layer) => _trainableSlices[layer];

    /// <summary>Applies one optimizer step with the gradients summed by <see cref="AccumulateGradients"/>.</summary>
    public void StepAccumulated()
    {
        if (_accumulated is null)
        {
            throw new InvalidOperationException("this network was built without a gradient accumulation buffer");
        }
        ApplyStep(_accumulated.All);
    }

    private void ApplyStep(BufferView gradients)
    {
        Settle();
        OptimizerStep step = Optimizer.Next();
        if (OptimizerStep.IsLayerwise(step.Kind))
        {
            LayerwiseStep.Apply(_backend, Spec, TrainableCount, gradients, step, _parameters.All, _state.All);
            return;
        }
        _backend.OptimizerStep(gradients, step, _parameters.Slice(0, TrainableCount), _state.All);
    }

    /// <summary>
    /// One training step on a batch: gradients, then the optimizer. A plain-SGD step on one example, or on a batch when
    /// the parameters are in host memory, is fused into the backward pass (<see cref="IBackend.DenseBackwardSgdStep"/>,
    /// same results), which leaves <see cref="Gradients"/> undefined; <see cref="ComputeGradients"/> and
    /// <see cref="Step"/> keep them. The first layer's update may wait for the next forward pass
    /// (<see cref="DefersFirstLayerStep"/>, <see cref="DefersFirstLayerWeights"/>); every member applies it first.
    /// </summary>
    public void TrainBatch(BufferView x, BufferView targets, int rows)
    {
        if ((rows == 1 || _hostParameters) && Optimizer.Settings.Kind == OptimizerKind.Sgd)
        {
            TrainSgdFused(x, targets, rows);
            return;
        }
        ComputeGradients(x, targets, rows);
        Step();
    }

    // Plain SGD layer by layer: each layer's weights are updated as soon as its dX is computed from them. On one
    // example dW is never written out; on a batch the update reads the layer's dW and W while they are still in cache,
    // instead of a pass over all parameters from memory after the backward pass. Every element gets the same update
    // as Step's, so the results are the same bits.
    private void TrainSgdFused(BufferView x, BufferView targets, int rows)
    {
        bool defers = _pendingInput is not null; // then the buffers hold one row
        BufferView output = Forward(x, rows, 0);
        int last = Spec.Layers.Count - 1;
        _backend.Loss(output, targets, rows, Spec.Outputs, Loss, _deltas[last].Slice(0, rows * Spec.Outputs),
            NextMetricSlot());
        long taken = Optimizer.Steps; // the masks' step, before the clock advances
        OptimizerStep step = Optimizer.Next();
        for (int l = last; l >= 0; l--)
        {
            LayerSpec layer = Spec.Layers[l];
            int inputs = Spec.InputsOf(l);
            bool trainedBias = layer.HasBias && Spec.BiasOffset(l) < TrainableCount;
            BufferView delta = _deltas[l].Slice(0, rows * layer.Units);
            if (Drops(l))
            {
                _backend.Dropout(delta, Dropout!.Mask(taken, l, 0, layer.Units), delta);
            }
            if (l == 0 && defers)
            {
                // left to the next example's forward pass (or to Settle); x is the caller's, so it is copied
                _backend.GatherRows(x, inputs, _firstRow!, 0, 1, _pendingInput!.All);
                (_pendingStep, _pending) = (step, true);
                continue;
            }
            BufferView input = l == 0 ? x : LayerInput(l - 1, rows);
            BufferView dX = l == 0 ? BufferView.Empty : _deltas[l - 1].Slice(0, rows * inputs);
            if (l == 0 && _defersFirstLayerWeights && !_backend.FusesBackwardSgdStep(rows, inputs, layer.Units))
            {
                // the weights' step is left to the next forward pass (or to Settle), which reads dW where this writes
                // it; the biases' step is taken now
                BufferView db = trainedBias ? _gradients.Slice(Spec.BiasOffset(0), layer.Units) : BufferView.Empty;
                _backend.DenseBackward(input, Weights(0), _activations[0].Slice(0, rows * layer.Units), rows, inputs,
                    layer.Units, layer.Activation, delta, FirstLayerWeightGradient(), db, BufferView.Empty,
                    PreActivations(0, rows));
                if (trainedBias)
                {
                    _backend.OptimizerStep(db, step, Biases(0), BufferView.Empty);
                }
                (_pendingStep, _pending) = (step, true);
                continue;
            }
            _backend.DenseBackwardSgdStep(input, _activations[l].Slice(0, rows * layer.Units), rows, inputs,
                layer.Units, layer.Activation, delta, dX, step, Weights(l), trainedBias ? Biases(l) : BufferView.Empty,
                _gradients.Slice(Spec.WeightOffset(l), inputs * layer.Units),
                trainedBias ? _gradients.Slice(Spec.BiasOffset(l), layer.Units) : BufferView.Empty,
                PreActivations(l, rows));
        }
    }

    /// <summary>Adds the loss sum and correct count of a batch to the metrics without training.</summary>
    public void EvaluateBatch(BufferView x, BufferView targets, int rows) => AddMetrics(Forward(x, rows), targets, rows);

    // the pending first-layer step of the last step, then the first layer's forward pass of x
    private void TakePendingStepThenForward(BufferView x, int rows)
    {
        LayerSpec layer = Spec.Layers[0];
        _pending = false;
        int inputs = Spec.Inputs;
        if (_defersFirstLayerWeights)
        {
            _backend.SgdStepThenDenseForward(FirstLayerWeightGradient(), _pendingStep, x, Weights(0), Biases(0), rows,
                inputs, layer.Units, layer.Activation, _activations[0].Slice(0, rows * layer.Units),
                PreActivations(0, rows));
            return;
        }
        if (rows != 1)
        {
            throw new InvalidOperationException("a network that defers its first layer's step holds one row");
        }
        _backend.DenseBackwardSgdStepThenForward(_pendingInput!.All, _deltas[0].Slice(0, layer.Units), _pendingStep,
            _gradients.Slice(Spec.WeightOffset(0), inputs * layer.Units), PendingBiases().Db, x, Weights(0),
            Biases(0), inputs, layer.Units, layer.Activation, _activations[0].Slice(0, layer.Units),
            PreActivations(0, 1));
    }

    // Applies the pending first-layer step of the last step, if any: what TrainBatch would have done before returning,
    // had it not left it for the next forward pass.
    private void Settle()
    {
        if (!_pending)
        {
            return;
        }
        _pending = false;
        if (_defersFirstLayerWeights)
        {
            _backend.OptimizerStep(FirstLayerWeightGradient(), _pendingStep, Weights(0), BufferView.Empty);
            return;
        }
        LayerSpec layer = Spec.Layers[0];
        int inputs = Spec.Inputs;
        (BufferView b, BufferView db) = PendingBiases();
        _backend.DenseBackwardSgdStep(_pendingInput!.All, _activations[0].Slice(0, layer.Units), 1, inputs,
            layer.Units, layer.Activation, _deltas[0].Slice(0, layer.Units), BufferView.Empty, _pendingStep,
            Weights(0), b, _gradients.Slice(Spec.WeightOffset(0), inputs * layer.Units), db, PreActivations(0, 1));
    }

    // the first layer's dW in the gradient buffer
    private BufferView FirstLayerWeightGradient() =>
        _gradients.Slice(Spec.WeightOffset(0), Spec.Inputs * Spec.Layers[0].Units);

    // the first layer's trained biases and their gradient scratch, both empty when its biases are absent or fixed
    private (BufferView B, BufferView Db) PendingBiases()
    {
        LayerSpec layer = Spec.Layers[0];
        bool trained = layer.HasBias && Spec.BiasOffset(0) < TrainableCount;
        return trained
            ? (Biases(0), _gradients.Slice(Spec.BiasOffset(0), layer.Units))
            : (BufferView.Empty, BufferView.Empty);
    }

    private BufferView Settled(BufferView view)
    {
        Settle();
        return view;
    }

    /// <summary>Adds the loss sum and correct count of <paramref name="rows"/> rows of given outputs ([rows, outputs],
    /// as <see cref="Forward(BufferView, int)"/> returns them) to the metrics.</summary>
    public void AddMetrics(BufferView output, BufferView targets, int rows) =>
        _backend.Loss(output, targets, rows, Spec.Outputs, Loss, BufferView.Empty, NextMetricSlot());

    // the (loss sum, correct count) pair the next Loss call adds to, zero until then
    private BufferView NextMetricSlot()
    {
        if (_metricSlotsUsed == MetricSlots)
        {
            AddMetricSlots();
        }
        return _metrics.Slice(2 * _metricSlotsUsed++, 2);
    }

    // the used pairs' float sums into the float64 ones, in the order of their calls; the pairs are zero again
    private void AddMetricSlots()
    {
        BufferView used = _metrics.Slice(0, 2 * _metricSlotsUsed);
        Span<float> sums = _metricsHost.AsSpan(0, used.Length);
        bool inHostMemory = used.Buffer is CpuFloatBuffer; // read and cleared where they lie: no op in a step
        if (inHostMemory)
        {
            used.AsSpan().CopyTo(sums);
            used.AsSpan().Clear();
        }
        else
        {
            _backend.Download(used, sums);
        }
        for (int i = 0; i < sums.Length; i += 2)
        {
            _lossSum += sums[i];
            _correct += sums[i + 1];
        }
        if (!inHostMemory)
        {
            sums.Clear();
            _backend.Upload(sums, used); // a copy, not a kernel launch
        }
        _metricSlotsUsed = 0;
    }

    /// <summary>Reads the accumulated (loss sum, correct count) and resets them to zero.</summary>
    public (double LossSum, double Correct) TakeMetrics()
    {
        (double, double) sums = PeekMetrics();
        SetMetrics(0, 0);
        return sums;
    }

    /// <summary>Reads the accumulated (loss sum, correct count) without resetting them.</summary>
    public (double LossSum, double Correct) PeekMetrics()
    {
        AddMetricSlots();
        return (_lossSum, _correct);
    }

    /// <summary>Sets the accumulated (loss sum, correct count), e.g. to continue a partly trained epoch.</summary>
    public void SetMetrics(double lossSum, double correct)
    {
        AddMetricSlots(); // clears the pairs
        (_lossSum, _correct) = (lossSum, correct);
    }

    /// <summary>Replaces the parameters (all of them, flat layout).</summary>
    public void LoadParameters(ReadOnlySpan<float> parameters)
    {
        Settle();
        _backend.Upload(parameters, _parameters.All);
    }

    /// <summary>Replaces the optimizer state ([slots·TrainableCount]).</summary>
    public void LoadOptimizerState(ReadOnlySpan<float> state)
    {
        Settle();
        _backend.Upload(state, _state.All);
    }

    /// <summary>The current parameters as a host model.</summary>
    public Model.Model ToModel()
    {
        Settle();
        float[] parameters = new float[Spec.ParameterCount];
        _backend.Download(_parameters.All, parameters);
        return new Model.Model(Spec, parameters);
    }

    /// <summary>The optimizer state ([slots·TrainableCount]) on the backend.</summary>
    public BufferView OptimizerState => Settled(_state.All);

    /// <summary>The optimizer state ([slots·TrainableCount]) on the host.</summary>
    public float[] DownloadOptimizerState()
    {
        Settle();
        float[] state = new float[_state.Length];
        _backend.Download(_state.All, state);
        return state;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (FloatBuffer buffer in _activations.Concat(_deltas))
        {
            buffer.Dispose();
        }
        foreach (FloatBuffer? buffer in _preActivations.Concat(_dropped))
        {
            buffer?.Dispose();
        }
        _parameters.Dispose();
        _gradients.Dispose();
        _state.Dispose();
        _metrics.Dispose();
        _accumulated?.Dispose();
        _pendingInput?.Dispose();
        _firstRow?.Dispose();
    }

    private BufferView Weights(int layer) =>
        _parameters.Slice(Spec.WeightOffset(layer), Spec.InputsOf(layer) * Spec.Layers[layer].Units);

    private BufferView Biases(int layer) => Spec.Layers[layer].HasBias
        ? _parameters.Slice(Spec.BiasOffset(layer), Spec.Layers[layer].Units)
        : BufferView.Empty;

    private void CheckRows(int rows)
    {
        if (rows <= 0 || rows > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows; this network holds 1..{MaxBatch}");
        }
    }
}
