namespace FastNet.Kernels;

/// <summary>What one compared tensor is held to under <see cref="Tolerance"/>: the reduction length K and, per
/// element, the sum of magnitudes S.</summary>
public sealed record ElementBounds(int K, double[] Sums)
{
    /// <summary>True when element <paramref name="i"/> of the candidate is within its bound of the reference's.</summary>
    public bool Within(int i, double candidate, double reference) =>
        Tolerance.Within(candidate, reference, K, Sums[i]);

    /// <summary>The allowed |candidate − reference| of element <paramref name="i"/>.</summary>
    public double Bound(int i) => Tolerance.Bound(K, Sums[i]);
}

/// <summary>The bounds of a dense backward pass, and M, the magnitude each element of dZ is relative to.</summary>
public sealed record BackwardBounds(ElementBounds DZ, ElementBounds DW, ElementBounds Db, ElementBounds DX,
    double[] DzMagnitude);

/// <summary>
/// The per-op magnitude sums of <see cref="Tolerance"/>, computed once here in float64 from an op's inputs and the
/// reference's outputs, for the tests and for <c>fastnet verify</c> alike. Each S is the sum of the magnitudes of the
/// terms behind an element (the reduction's terms, then the operands and the result of the elementwise work around it),
/// following the derivation on <see cref="Tolerance"/>.
/// </summary>
public static class OpBounds
{
    /// <summary>
    /// A = f(X·W + b), [batch, outputs]: the bias is one more term of the reduction (K = inputs + 1 with biases); the
    /// reduction's terms count times <see cref="Activation.MaxSlope"/>, which bounds how far f moves an error in Z, and
    /// the result counts as an operand of the store.
    /// </summary>
    public static ElementBounds DenseForward(float[] x, float[] w, float[]? b, int batch, int inputs, int outputs,
        Activation activation, float[] a)
    {
        double[] s = new double[batch * outputs];
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < outputs; j++)
            {
                double sum = b is { Length: > 0 } ? Math.Abs((double)b[j]) : 0;
                for (int i = 0; i < inputs; i++)
                {
                    sum += Math.Abs((double)x[r * inputs + i] * w[i * outputs + j]);
                }
                s[r * outputs + j] = (sum * activation.MaxSlope) + Math.Abs((double)a[r * outputs + j]);
            }
        }
        return new ElementBounds(inputs + (b is { Length: > 0 } ? 1 : 0), s);
    }

    /// <summary>
    /// dZ = dA ⊙ f′ (K = 1: |dA|·m + |dZ|, m the magnitude f′ is evaluated relative to), dW = Xᵀ·dZ (K = batch),
    /// db = Σ_rows dZ (K = batch) and dX = dZ·Wᵀ (K = outputs). The reductions count M = max(|dZ|, |dA|·m) for each
    /// element of dZ, the magnitude its own error is relative to: f′ can cancel (σ′ = a − a², GELU′ = Φ(z) + z·φ(z)), so
    /// there an error relative to its terms is much larger than |dZ|. <paramref name="z"/> is Z for the activations
    /// whose f′ is taken at Z, else null; <paramref name="dz"/> is the reference's dZ.
    /// </summary>
    public static BackwardBounds DenseBackward(Activation activation, float[] x, float[] w, float[] a, float[]? z,
        float[] dA, float[] dz, int batch, int inputs, int outputs)
    {
        double[] sDz = new double[batch * outputs], m = new double[batch * outputs];
        for (int e = 0; e < sDz.Length; e++)
        {
            double terms = Math.Abs((double)dA[e]) * DerivativeTerms(activation, a[e], z?[e]);
            sDz[e] = terms + Math.Abs((double)dz[e]);
            m[e] = Math.Max(Math.Abs((double)dz[e]), terms);
        }
        double[] sDW = new double[inputs * outputs], sDb = new double[outputs], sDX = new double[batch * inputs];
        for (int r = 0; r < batch; r++)
        {
            for (int i = 0; i < inputs; i++)
            {
                double xi = Math.Abs((double)x[r * inputs + i]);
                for (int j = 0; j < outputs; j++)
                {
                    sDW[i * outputs + j] += xi * m[r * outputs + j];
                }
                sDX[r * inputs + i] = InputGradientTerms(m, w, r, i, outputs);
            }
            for (int j = 0; j < outputs; j++)
            {
                sDb[j] += m[r * outputs + j];
            }
        }
        return new BackwardBounds(new ElementBounds(1, sDz), new ElementBounds(batch, sDW),
            new ElementBounds(batch, sDb), new ElementBounds(outputs, sDX), m);
    }

    /// <summary>Σ_j |M[r, j]·w[i, j]|: the magnitudes of the terms dX[r, i] sums.</summary>
    public static double InputGradientTerms(double[] dzMagnitude, float[] w, int r, int i, int outputs)
    {
        double sum = 0;
        for (int j = 0; j < outputs; j++)
        {
            sum += Math.Abs(dzMagnitude[r * outputs + j] * w[i * outputs + j]);
        }
        return sum;
    }

    /// <summary>
    /// The magnitude a float32 f′ is evaluated relative to: the sum of the magnitudes of its terms written through the
    /// output a (σ′ = a − a², tanh′ = 1 − a², ReLU′ ∈ {0, 1}, leaky ReLU′ ∈ {α, 1}, identity′ = 1), or for the
    /// activations that keep Z, <see cref="Tolerance.PreActivationDerivativeScale"/> at z.
    /// </summary>
    public static double DerivativeTerms(Activation activation, double a, double? z) => z is { } v
        ? Tolerance.PreActivationDerivativeScale(activation, v)
        : activation.Kind switch
        {
            ActivationKind.Sigmoid => Math.Abs(a) + (a * a),
            ActivationKind.Tanh => 1 + (a * a),
            ActivationKind.Relu => a > 0 ? 1 : 0,
            ActivationKind.LeakyRelu => a > 0 ? 1 : activation.Slope,
            _ => 1,
        };

    /// <summary>
    /// The loss's output gradient, elementwise, and the loss sum it adds to <paramref name="lossBefore"/> (a reduction
    /// over every element of the batch). Softmax: y = e^(z − max)/Σe, so each y is a reduction over the row (K =
    /// outputs) and the shift's rounding is amplified by |z − max|; the loss terms t·(lse − z) count |z|, the row's
    /// maximum, log Σe and the 1 of log's absolute error from Σe's relative error. The squared errors: (|o| + |t|) per
    /// term, scaled as the gradient is. <paramref name="dOutput"/> is the reference's, or null when not computed.
    /// </summary>
    public static (ElementBounds DOutput, ElementBounds Loss) Loss(LossKind loss, float[] output, float[] targets,
        float[]? dOutput, double lossBefore, int batch, int outputs)
    {
        double[] s = new double[batch * outputs];
        double lossTerms = Math.Abs(lossBefore);
        for (int r = 0; r < batch; r++)
        {
            double max = double.NegativeInfinity, sumExp = 0;
            for (int k = 0; k < outputs; k++)
            {
                max = Math.Max(max, output[r * outputs + k]);
            }
            for (int k = 0; k < outputs; k++)
            {
                sumExp += Math.Exp(output[r * outputs + k] - max);
            }
            for (int k = 0; k < outputs; k++)
            {
                int e = r * outputs + k;
                double o = output[e], t = targets[e], d = Math.Abs((double)(dOutput?[e] ?? 0));
                switch (loss)
                {
                    case LossKind.HalfSquaredError:
                        s[e] = ((Math.Abs(o) + Math.Abs(t)) / batch) + d;
                        lossTerms += 0.5 * (o - t) * (o - t);
                        break;
                    case LossKind.MeanSquaredError:
                        s[e] = (2 * (Math.Abs(o) + Math.Abs(t)) / ((double)outputs * batch)) + d;
                        lossTerms += (o - t) * (o - t) / outputs;
                        break;
                    default:
                        double y = Math.Exp(o - max) / sumExp;
                        s[e] = (((y * (1 + Math.Abs(o - max))) + Math.Abs(t)) / batch) + d;
                        lossTerms += Math.Abs(t) * (Math.Abs(o) + Math.Abs(max) + Math.Log(sumExp) + 1);
                        break;
                }
            }
        }
        return (new ElementBounds(loss == LossKind.SoftmaxCrossEntropy ? outputs : 1, s),
            new ElementBounds(batch * outputs, [lossTerms]));
    }

    /// <summary>
    /// Parameters and state after one flat optimizer step (<see cref="IBackend.OptimizerStep"/>) from
    /// <paramref name="theta"/> and <paramref name="state"/>, elementwise (K = 1): S is the rule, as
    /// <see cref="OptimizerKind"/> writes it, evaluated on magnitudes, with g = ∇ + λθ counted at |∇| + |λθ| (it can
    /// cancel), plus the value before and the reference's value after.
    /// </summary>
    public static (ElementBounds Parameters, ElementBounds State) OptimizerStep(in OptimizerStep step, float[] grad,
        float[] theta, float[] state, float[] thetaAfter, float[] stateAfter)
    {
        int n = grad.Length;
        double[] sTheta = new double[n], sState = new double[state.Length];
        double lr = step.LearningRate, mu = step.Momentum, b1 = step.Beta1, b2 = step.Beta2, eps = step.Epsilon;
        for (int i = 0; i < n; i++)
        {
            double g = grad[i] + (step.WeightDecay * theta[i]);
            double sg = Math.Abs((double)grad[i]) + Math.Abs(step.WeightDecay * theta[i]);
            double update;
            switch (step.Kind)
            {
                case OptimizerKind.Sgd:
                    update = lr * sg;
                    break;
                case OptimizerKind.Momentum:
                case OptimizerKind.Nesterov:
                    {
                        double sb = (mu * Math.Abs(state[i])) + sg;
                        sState[i] = sb + Math.Abs(stateAfter[i]);
                        update = step.Kind == OptimizerKind.Momentum ? lr * sb : lr * (sg + (mu * sb));
                        break;
                    }
                case OptimizerKind.Adagrad:
                    {
                        double sum = state[i] + (g * g);
                        sState[i] = Math.Abs(state[i]) + (sg * sg) + Math.Abs(stateAfter[i]);
                        update = lr * sg / (Math.Sqrt(sum) + eps);
                        break;
                    }
                case OptimizerKind.RmsProp:
                    {
                        double v = (b2 * state[i]) + ((1 - b2) * g * g);
                        sState[i] = (b2 * Math.Abs(state[i])) + ((1 - b2) * sg * sg) + Math.Abs(stateAfter[i]);
                        update = lr * sg / (Math.Sqrt(v) + eps);
                        break;
                    }
                default:
                    {
                        double sm = (b1 * Math.Abs(state[i])) + ((1 - b1) * sg);
                        double v = (b2 * state[n + i]) + ((1 - b2) * g * g);
                        sState[i] = sm + Math.Abs(stateAfter[i]);
                        sState[n + i] = (b2 * Math.Abs(state[n + i])) + ((1 - b2) * sg * sg)
                            + Math.Abs(stateAfter[n + i]);
                        update = step.Kind == OptimizerKind.Adam
                            ? step.AdamStepSize * sm / ((Math.Sqrt(v) / step.AdamBiasCorrection2Sqrt) + eps)
                            : ((Math.Abs(step.NadamGradCoefficient) * sg) + (Math.Abs(step.NadamMomentCoefficient) * sm))
                                / (Math.Sqrt(v / step.NadamBiasCorrection2) + eps);
                        break;
                    }
            }
            sTheta[i] = Math.Abs((double)theta[i]) + update + Math.Abs((double)thetaAfter[i]);
        }
        return (new ElementBounds(1, sTheta), new ElementBounds(1, sState));
    }

    /// <summary>
    /// One segment's parameters after a LARS or LAMB step (<see cref="IBackend.TrustRatioStep"/>), or after a plain SGD
    /// step whose gradient the candidate recomputed itself (<paramref name="k"/> = 2 for the fused per-example step): S
    /// = |θ| + |θ′ − θ| + η·(|∇| + λ|θ|). The trust ratio is a ratio of norms over the whole segment, so a layerwise
    /// step takes K = the segment's length.
    /// </summary>
    public static ElementBounds StepBySegment(in OptimizerStep step, float[] grad, float[] theta, float[] thetaAfter,
        int offset, int count, int k)
    {
        double[] s = new double[count];
        for (int e = 0; e < count; e++)
        {
            int p = offset + e;
            double g = Math.Abs(grad[p]) + (step.WeightDecay * Math.Abs(theta[p]));
            s[e] = Math.Abs(theta[p]) + Math.Abs((double)thetaAfter[p] - theta[p]) + (step.LearningRate * g);
        }
        return new ElementBounds(k, s);
    }

    /// <summary>The optimizer state after a LARS or LAMB step: elementwise, |s| + |s′| + g + g² with g = |∇| + λ|θ|
    /// (LARS's buffer holds the step, LAMB's v the squares).</summary>
    public static ElementBounds LayerwiseState(in OptimizerStep step, float[] grad, float[] theta, float[] state,
        float[] stateAfter)
    {
        int n = theta.Length;
        double[] s = new double[state.Length];
        for (int e = 0; e < state.Length; e++)
        {
            double g = Math.Abs(grad[e % n]) + (step.WeightDecay * Math.Abs(theta[e % n]));
            s[e] = Math.Abs(state[e]) + Math.Abs(stateAfter[e]) + g + (g * g);
        }
        return new ElementBounds(1, s);
    }

    /// <summary>Dropout: one product x·scale rounded once, or zero: elementwise on |x·scale|. A mask bit drawn
    /// differently misses the bound by |x·scale|.</summary>
    public static ElementBounds Dropout(float[] x, in DropoutMask mask)
    {
        double[] s = new double[x.Length];
        for (int e = 0; e < x.Length; e++)
        {
            s[e] = Math.Abs((double)x[e] * mask.Scale);
        }
        return new ElementBounds(1, s);
    }
}
