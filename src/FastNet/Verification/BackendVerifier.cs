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
    /// the reference, checking each op of <paramref name="candidate"/> against it.
    /// </summary>
    public void Run(IBackend reference, IBackend candidate, IReadOnlyList<(float[] X, float[] T, int Rows)> batches)
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
                Discrepancy d = Comparison(l, "activations");
                for (int r = 0; r < rows; r++)
                {
                    for (int j = 0; j < layer.Units; j++)
                    {
                        double sum = layer.HasBias ? Math.Abs(b[j]) : 0;
                        for (int i = 0; i < fanIn; i++)
                        {
                            sum += Math.Abs((double)input[r * fanIn + i] * w[i * layer.Units + j]);
                        }
                        // an error in Z reaches A times |f'| ≤ MaxSlope
                        d.Add(actual[r * layer.Units + j], expected[r * layer.Units + j], fanIn + 1,
                            sum * layer.Activation.MaxSlope);
                    }
                }
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
            }
            theta = refTheta;
            state = refState;
        }
    }

    private bool Drops(int l) => _dropout is { } d && d.RateOf(l) > 0;

    // the mask of the step about to be taken, rows from 0 as in one training batch
    private DropoutMask Mask(OptimizerClock clock, int l) => _dropout!.Mask(clock.Steps, l, 0, _spec.Layers[l].Units);

    // The dropout op on both backends; returns the reference's result. Each element is one product rounded once, so
    // the rule's bound is that of one elementwise op on |x·scale|; a mask bit drawn differently misses it by |x·scale|.
    private float[] CompareDropout(HostOps refOps, HostOps candOps, int l, string quantity, float[] x, in DropoutMask mask)
    {
        float[] expected = refOps.Dropout(x, mask), actual = candOps.Dropout(x, mask);
        Discrepancy d = Comparison(l, quantity);
        for (int e = 0; e < x.Length; e++)
        {
            d.Add(actual[e], expected[e], 1, Math.Abs((double)x[e] * mask.Scale));
        }
        return expected;
    }

    private float[] CompareLoss(HostOps refOps, HostOps candOps, float[] output, float[] targets, int rows)
    {
        int k = _spec.Outputs;
        (float[] expected, float[] refMetrics) = refOps.Loss(output, targets, rows, k, _loss);
        (float[] actual, float[] candMetrics) = candOps.Loss(output, targets, rows, k, _loss);
        Discrepancy gradient = Comparison(-1, "dOutput");
        Discrepancy value = Comparison(-1, "loss sum");
        double lossTerms = 0;
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, sumExp = 0;
            for (int j = 0; j < k; j++)
            {
                max = Math.Max(max, output[r * k + j]);
            }
            for (int j = 0; j < k; j++)
            {
                sumExp += Math.Exp(output[r * k + j] - max);
            }
            double logSumExp = max + Math.Log(sumExp);
            for (int j = 0; j < k; j++)
            {
                int e = r * k + j;
                double o = Math.Abs(output[e]), t = Math.Abs(targets[e]);
                (int length, double scale) = _loss switch
                {
                    // softmax: every output's exponential enters each probability
                    LossKind.SoftmaxCrossEntropy => (k, (Math.Exp(output[e] - logSumExp) + t) / rows),
                    LossKind.MeanSquaredError => (1, 2 * (o + t) / ((double)k * rows)),
                    _ => (1, (o + t) / rows),
                };
                gradient.Add(actual[e], expected[e], length, scale);
                lossTerms += _loss == LossKind.SoftmaxCrossEntropy ? t * (o + Math.Abs(logSumExp)) : (o + t) * (o + t);
            }
        }
        value.Add(candMetrics[0], refMetrics[0], rows * k, lossTerms);
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
        float[] dz = expected.DZ;

        // M: the magnitude dZ's error is relative to, max(|dZ|, |dA|·Σ|terms of f'|); GELU' = Φ(z) + z·φ(z)
        // cancels near z = −0.75, where that sum is much larger than |dZ|. The reductions over dZ count M.
        Discrepancy dZ = Comparison(l, "dZ");
        double[] m = new double[dz.Length];
        for (int e = 0; e < dz.Length; e++)
        {
            double terms = Math.Abs((double)dA[e]) * DerivativeTerms(layer.Activation, a[e], z?[e]);
            dZ.Add(actual.DZ[e], dz[e], 1, terms);
            m[e] = Math.Max(Math.Abs(dz[e]), terms);
        }
        Discrepancy dW = Comparison(l, "dW");
        for (int i = 0; i < fanIn; i++)
        {
            for (int j = 0; j < units; j++)
            {
                double sum = 0;
                for (int r = 0; r < rows; r++)
                {
                    sum += Math.Abs((double)x[r * fanIn + i]) * m[r * units + j];
                }
                dW.Add(actual.DW[i * units + j], expected.DW[i * units + j], rows, sum);
            }
        }
        if (layer.HasBias)
        {
            Discrepancy db = Comparison(l, "db");
            for (int j = 0; j < units; j++)
            {
                double sum = 0;
                for (int r = 0; r < rows; r++)
                {
                    sum += m[r * units + j];
                }
                db.Add(actual.DB[j], expected.DB[j], rows, sum);
            }
            expected.DB.CopyTo(gradient, _spec.BiasOffset(l));
        }
        expected.DW.CopyTo(gradient, _spec.WeightOffset(l));
        if (!needDX)
        {
            return (m, []);
        }
        Discrepancy dX = Comparison(l, "dX");
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < fanIn; i++)
            {
                dX.Add(actual.DX[r * fanIn + i], expected.DX[r * fanIn + i], units, InputGradientTerms(m, w, r, i, units));
            }
        }
        return (m, expected.DX);
    }

    // Σ_j |dz[r, j]·w[i, j]|: the magnitudes of the terms dX[r, i] sums
    private static double InputGradientTerms(double[] dz, float[] w, int r, int i, int units)
    {
        double sum = 0;
        for (int j = 0; j < units; j++)
        {
            sum += Math.Abs(dz[r * units + j] * w[i * units + j]);
        }
        return sum;
    }

    private void CompareFusedSgdStep(HostOps candOps, int l, float[] x, float[] a, float[]? z, float[] dA,
        (double[] DZ, float[] DX) reference, OptimizerStep step, float[] gradient, float[] theta, float[] refTheta)
    {
        LayerSpec layer = _spec.Layers[l];
        int fanIn = _spec.InputsOf(l), units = layer.Units;
        (float[] w, float[] b, float[] dX) = candOps.DenseBackwardSgdStep(x, Weights(theta, l), Biases(theta, l), a, dA,
            z, fanIn, units, layer.Activation, l > 0, step);
        // the candidate recomputes each gradient element (one more rounding) before the step: two terms, not one
        Compare(Comparison(l, "W after fused step"), w, _spec.WeightOffset(l));
        Compare(Comparison(l, "b after fused step"), b, _spec.BiasOffset(l));
        if (l > 0)
        {
            // the candidate forms dZ itself (one more rounding per term than DenseBackward's check)
            Discrepancy d = Comparison(l, "dX of fused step");
            float[] weights = Weights(theta, l);
            for (int i = 0; i < fanIn; i++)
            {
                d.Add(dX[i], reference.DX[i], units + 1, InputGradientTerms(reference.DZ, weights, 0, i, units));
            }
        }

        void Compare(Discrepancy d, float[] actual, int offset)
        {
            for (int k = 0; k < actual.Length; k++)
            {
                int p = offset + k;
                double g = Math.Abs(gradient[p]) + step.WeightDecay * Math.Abs(theta[p]);
                double scale = Math.Abs(theta[p]) + Math.Abs((double)refTheta[p] - theta[p]) + step.LearningRate * g;
                d.Add(actual[k], refTheta[p], 2, scale);
            }
        }
    }

    private void CompareOptimizer(OptimizerStep step, float[] gradient, float[] theta, float[] state,
        float[] refTheta, float[] candTheta, float[] refState, float[] candState)
    {
        int n = theta.Length;
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
            Discrepancy s = Comparison(-2, "optimizer state");
            for (int e = 0; e < state.Length; e++)
            {
                double g = Math.Abs(gradient[e % n]) + step.WeightDecay * Math.Abs(theta[e % n]);
                s.Add(candState[e], refState[e], 1, Math.Abs(state[e]) + Math.Abs(refState[e]) + g + g * g);
            }
        }

        void Compare(Discrepancy d, int offset, int count)
        {
            // LARS and LAMB scale each step by a ratio of norms over the whole segment: a reduction of count terms
            int k = OptimizerStep.IsLayerwise(step.Kind) ? count : 1;
            for (int p = offset; p < offset + count; p++)
            {
                double g = Math.Abs(gradient[p]) + step.WeightDecay * Math.Abs(theta[p]);
                double scale = Math.Abs(theta[p]) + Math.Abs((double)refTheta[p] - theta[p]) + step.LearningRate * g;
                d.Add(candTheta[p], refTheta[p], k, scale);
            }
        }
    }

    // the magnitude f' is evaluated relative to: |f'(a)| through A, or for the GELUs (which keep Z) their terms'
    // magnitudes and argument conditioning (Tolerance.PreActivationDerivativeScale)
    private static double DerivativeTerms(Activation activation, double a, double? z) => z is { } v
        ? Tolerance.PreActivationDerivativeScale(activation, v)
        : Math.Abs(Kernels.Reference.ReferenceBackend.Derivative(activation, a));

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
