using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Verification;

/// <summary>
/// Runs training steps on the reference and, op by op, on a candidate backend given exactly the reference's inputs
/// (the same activations, deltas, weights and optimizer state), and measures every output against the reference
/// under the tolerance rule. Feeding each op the reference's inputs keeps the comparison to what one op can get
/// wrong, which is what <see cref="Tolerance"/> bounds; the trajectory is the reference's.
/// </summary>
public sealed class BackendVerifier
{
    private readonly NetworkSpec _spec;
    private readonly LossKind _loss;
    private readonly OptimizerSettings _optimizer;
    private readonly DropoutRates? _dropout;
    private readonly Dictionary<(string, string), Discrepancy> _results = [];
    private readonly List<(string, string)> _order = [];

    /// <summary>Prepares to compare training of <paramref name="model"/> with this loss and optimizer, and with
    /// <paramref name="dropout"/> the dropout op on each dropping hidden layer, forward and backward.</summary>
    public BackendVerifier(Model.Model model, LossKind loss, OptimizerSettings optimizer, DropoutRates? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _spec = model.Spec;
        _loss = loss;
        _optimizer = optimizer.WithDefaults();
        _dropout = dropout is { Any: true } ? dropout : null;
    }

    /// <summary>The initial model.</summary>
    public Model.Model Model { get; }

    /// <summary>Every compared quantity, layer by layer, in the order first met.</summary>
    public IReadOnlyList<Discrepancy> Results => [.. _order.Select(key => _results[key])];

    /// <summary>True when every comparison passed.</summary>
    public bool Passed => _results.Values.All(d => d.Passed);

    /// <summary>
    /// Trains <paramref name="batches"/> (features [rows, inputs] and targets [rows, outputs] each) step by step on
    /// the reference, checking each op of <paramref name="candidate"/> against it. The batches are read one at a time,
    /// as each step reaches them, so a caller may gather them lazily.
    /// </summary>
    public void Run(IBackend reference, IBackend candidate, IEnumerable<(float[] X, float[] T, int Rows)> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var refOps = new HostOps(reference);
        var candOps = new HostOps(candidate);
        float[] theta = (float[])Model.Parameters.Clone();
        int trainable = _spec.ParameterCount;
        float[] state = new float[OptimizerStep.StateSlots(_optimizer.Kind) * trainable];
        var clock = new OptimizerClock(_optimizer);
        int layers = _spec.Layers.Count;

        foreach ((float[] x, float[] t, int rows) in batches)
        {
            var inputs = new float[layers][];
            var outputs = new float[layers][];
            var preActivations = new float[]?[layers];
            float[] input = x;
            for (int l = 0; l < layers; l++)
            {
                LayerSpec layer = _spec.Layers[l];
                int fanIn = _spec.InputsOf(l);
                float[] w = Weights(theta, l), b = Biases(theta, l);
                (float[] expected, float[]? z) = refOps.DenseForward(input, w, layer.HasBias ? b : null, rows, fanIn, layer.Units, layer.Activation);
                float[] actual = candOps.DenseForward(input, w, layer.HasBias ? b : null, rows, fanIn, layer.Units, layer.Activation).A;
                Comparison(l, "activations").AddAll(actual, expected, OpBounds.DenseForward(input, w,
                    layer.HasBias ? b : null, rows, fanIn, layer.Units, layer.Activation, expected));
                inputs[l] = input;
                outputs[l] = expected;
                preActivations[l] = z;
                input = Drops(l) ? CompareDropout(refOps, candOps, l, "dropout", expected, Mask(clock, l)) : expected;
            }

            float[] delta = CompareLoss(refOps, candOps, outputs[^1], t, rows);
            float[] gradient = new float[_spec.ParameterCount];
            var deltasIn = new float[layers][];
            var backward = new (double[] DZ, float[] DX)[layers];
            for (int l = layers - 1; l >= 0; l--)
            {
                if (Drops(l))
                {
                    delta = CompareDropout(refOps, candOps, l, "dropout dA", delta, Mask(clock, l));
                }
                deltasIn[l] = delta;
                backward[l] = CompareBackward(refOps, candOps, l, inputs[l], Weights(theta, l), outputs[l],
                    preActivations[l], delta, rows, gradient);
                delta = backward[l].DX;
            }

            OptimizerStep step = clock.Next();
            bool layerwise = OptimizerStep.IsLayerwise(step.Kind);
            (float[] refTheta, float[] refState) = layerwise
                ? refOps.LayerwiseStep(_spec, gradient, step, theta, state)
                : refOps.OptimizerStep(gradient, step, theta, state);
            (float[] candTheta, float[] candState) = layerwise
                ? candOps.LayerwiseStep(_spec, gradient, step, theta, state)
                : candOps.OptimizerStep(gradient, step, theta, state);
            CompareOptimizer(step, gradient, theta, state, refTheta, candTheta, refState, candState);
            if (step.Kind == OptimizerKind.Sgd && rows == 1)
            {
                // per-example SGD trains through the fused op: check it on the same inputs
                for (int l = 0; l < layers; l++)
                {
                    CompareFusedSgdStep(candOps, l, inputs[l], outputs[l], preActivations[l], deltasIn[l], backward[l],
                        step, gradient, theta, refTheta);
                }
                // and the first layer through the step left until the next example's forward pass
                CompareFusedThenForward(candOps, inputs[0], deltasIn[0], step, outputs[0], preActivations[0], theta);
            }
            if (step.Kind == OptimizerKind.Sgd)
            {
                // a batch's first layer takes its pending step in the next forward pass
                CompareStepThenForward(candOps, inputs[0], step, gradient, theta, rows);
            }
            theta = refTheta;
            state = refState;
        }
    }

    private bool Drops(int l) => _dropout is { } d && d.RateOf(l) > 0;

    // the mask of the step about to be taken, rows from 0 as in one training batch
    private DropoutMask Mask(OptimizerClock clock, int l) => _dropout!.Mask(clock.Steps, l, 0, _spec.Layers[l].Units);

    // The dropout op on both backends; returns the reference's result.
    private float[] CompareDropout(HostOps refOps, HostOps candOps, int l, string quantity, float[] x, in DropoutMask mask)
    {
        float[] expected = refOps.Dropout(x, mask), actual = candOps.Dropout(x, mask);
        Comparison(l, quantity).AddAll(actual, expected, OpBounds.Dropout(x, mask));
        return expected;
    }

    private float[] CompareLoss(HostOps refOps, HostOps candOps, float[] output, float[] targets, int rows)
    {
        int k = _spec.Outputs;
        (float[] expected, float[] refMetrics) = refOps.Loss(output, targets, rows, k, _loss);
        (float[] actual, float[] candMetrics) = candOps.Loss(output, targets, rows, k, _loss);
        (ElementBounds gradient, ElementBounds value) = OpBounds.Loss(_loss, output, targets, expected, 0, rows, k);
        Comparison(-1, "dOutput").AddAll(actual, expected, gradient);
        Comparison(-1, "loss sum").AddAll([candMetrics[0]], [refMetrics[0]], value);
        // the count of correct predictions (accuracy) is a count: it must be the reference's exactly
        Comparison(-1, "correct").AddExact([candMetrics[1]], [refMetrics[1]]);
        return expected;
    }

    // returns the reference's dZ and dX (empty for the first layer)
    private (double[] DZ, float[] DX) CompareBackward(HostOps refOps, HostOps candOps, int l, float[] x, float[] w,
        float[] a, float[]? z, float[] dA, int rows, float[] gradient)
    {
        LayerSpec layer = _spec.Layers[l];
        int fanIn = _spec.InputsOf(l), units = layer.Units;
        bool needDX = l > 0;
        var expected = refOps.DenseBackward(x, w, a, dA, z, rows, fanIn, units, layer.Activation, layer.HasBias, needDX);
        var actual = candOps.DenseBackward(x, w, a, dA, z, rows, fanIn, units, layer.Activation, layer.HasBias, needDX);
        BackwardBounds bounds = OpBounds.DenseBackward(layer.Activation, x, w, a, z, dA, expected.DZ, rows, fanIn,
            units);
        Comparison(l, "dZ").AddAll(actual.DZ, expected.DZ, bounds.DZ);
        Comparison(l, "dW").AddAll(actual.DW, expected.DW, bounds.DW);
        if (layer.HasBias)
        {
            Comparison(l, "db").AddAll(actual.DB, expected.DB, bounds.Db);
            expected.DB.CopyTo(gradient, _spec.BiasOffset(l));
        }
        expected.DW.CopyTo(gradient, _spec.WeightOffset(l));
        if (!needDX)
        {
            return (bounds.DzMagnitude, []);
        }
        Comparison(l, "dX").AddAll(actual.DX, expected.DX, bounds.DX);
        return (bounds.DzMagnitude, expected.DX);
    }

    private void CompareFusedSgdStep(HostOps candOps, int l, float[] x, float[] a, float[]? z, float[] dA,
        (double[] DZ, float[] DX) reference, OptimizerStep step, float[] gradient, float[] theta, float[] refTheta)
    {
        LayerSpec layer = _spec.Layers[l];
        int fanIn = _spec.InputsOf(l), units = layer.Units;
        (float[] w, float[] b, float[] dX) = candOps.DenseBackwardSgdStep(x, Weights(theta, l), Biases(theta, l), a, dA,
            z, fanIn, units, layer.Activation, l > 0, step);
        // the candidate recomputes each gradient element (one more rounding) before the step: two terms, not one
        Comparison(l, "W after fused step").AddAll(w, refTheta.AsSpan(_spec.WeightOffset(l), w.Length),
            OpBounds.StepBySegment(step, gradient, theta, refTheta, _spec.WeightOffset(l), w.Length, 2));
        Comparison(l, "b after fused step").AddAll(b, refTheta.AsSpan(_spec.BiasOffset(l), b.Length),
            OpBounds.StepBySegment(step, gradient, theta, refTheta, _spec.BiasOffset(l), b.Length, 2));
        if (l > 0)
        {
            // the candidate forms dZ itself (one more rounding per term than DenseBackward's check)
            float[] weights = Weights(theta, l);
            double[] sums = [.. Enumerable.Range(0, fanIn)
                .Select(i => OpBounds.InputGradientTerms(reference.DZ, weights, 0, i, units))];
            Comparison(l, "dX of fused step").AddAll(dX, reference.DX, new ElementBounds(units + 1, sums));
        }
    }

    // the fused ops a training step takes are defined as compositions of the ops compared above: each must give the
    // composition's bits on the candidate itself
    private void CompareStepThenForward(HostOps candOps, float[] x, OptimizerStep step, float[] gradient, float[] theta,
        int rows)
    {
        LayerSpec layer = _spec.Layers[0];
        float[] dW = gradient.AsSpan(_spec.WeightOffset(0), _spec.InputsOf(0) * layer.Units).ToArray();
        float[]? b = layer.HasBias ? Biases(theta, 0) : null;
        CompareToComposition("step then forward", composed => candOps.SgdStepThenDenseForward(composed, dW, step, x,
            Weights(theta, 0), b, rows, _spec.Inputs, layer.Units, layer.Activation));
    }

    private void CompareFusedThenForward(HostOps candOps, float[] x, float[] dA, OptimizerStep step, float[] a, float[]? z,
        float[] theta)
    {
        LayerSpec layer = _spec.Layers[0];
        CompareToComposition("bwd, step, forward", composed => candOps.DenseBackwardSgdStepThenForward(composed, x, dA,
            step, x, Weights(theta, 0), Biases(theta, 0), a, z, _spec.Inputs, layer.Units, layer.Activation));
    }

    // every result of the fused op (run(false)) against the composition's (run(true)), bit for bit
    private void CompareToComposition(string quantity, Func<bool, float[][]> run)
    {
        float[][] fused = run(false), composed = run(true);
        Discrepancy comparison = Comparison(0, quantity);
        for (int p = 0; p < fused.Length; p++)
        {
            comparison.AddExact(fused[p], composed[p]);
        }
    }

    private void CompareOptimizer(OptimizerStep step, float[] gradient, float[] theta, float[] state,
        float[] refTheta, float[] candTheta, float[] refState, float[] candState)
    {
        bool layerwise = OptimizerStep.IsLayerwise(step.Kind);
        (ElementBounds parameters, ElementBounds stateBounds) = layerwise
            ? (new ElementBounds(1, []), OpBounds.LayerwiseState(step, gradient, theta, state, refState))
            : OpBounds.OptimizerStep(step, gradient, theta, state, refTheta, refState);
        for (int l = 0; l < _spec.Layers.Count; l++)
        {
            Compare(Comparison(l, "W after step"), _spec.WeightOffset(l), _spec.InputsOf(l) * _spec.Layers[l].Units);
            if (_spec.Layers[l].HasBias)
            {
                Compare(Comparison(l, "b after step"), _spec.BiasOffset(l), _spec.Layers[l].Units);
            }
        }
        if (state.Length > 0)
        {
            Comparison(-2, "optimizer state").AddAll(candState, refState, stateBounds);
        }

        void Compare(Discrepancy d, int offset, int count)
        {
            // LARS and LAMB scale each step by a ratio of norms over the whole segment: a reduction of count terms
            ElementBounds segment = layerwise
                ? OpBounds.StepBySegment(step, gradient, theta, refTheta, offset, count, count)
                : new ElementBounds(1, parameters.Sums[offset..(offset + count)]);
            d.AddAll(candTheta.AsSpan(offset, count), refTheta.AsSpan(offset, count), segment);
        }
    }

    private float[] Weights(float[] theta, int l) =>
        theta.AsSpan(_spec.WeightOffset(l), _spec.InputsOf(l) * _spec.Layers[l].Units).ToArray();

    private float[] Biases(float[] theta, int l) => _spec.Layers[l].HasBias
        ? theta.AsSpan(_spec.BiasOffset(l), _spec.Layers[l].Units).ToArray()
        : [];

    /// <summary>The running comparison of (layer, quantity) over all steps so far.</summary>
    private Discrepancy Comparison(int layer, string quantity)
    {
        string name = layer switch
        {
            -1 => "loss",
            -2 => "optimizer",
            _ => $"layer {layer + 1}",
        };
        var key = (name, quantity);
        if (!_results.TryGetValue(key, out Discrepancy? d))
        {
            d = new Discrepancy(name, quantity);
            _results[key] = d;
            _order.Add(key);
        }
        return d;
    }
}
