using FastNet.Kernels.Reference;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// Comparisons under <see cref="Tolerance"/>: each expected bound uses K, the length of the reduction, and S, the sum of
/// the magnitudes of its terms (plus, for what follows the reduction in the same op, the magnitudes of the other
/// operands and of the result), computed here in float64 from the inputs and the reference's outputs.
/// </summary>
public static class Expect
{
    /// <summary>Asserts equal bit patterns (so −0 ≠ +0 and NaNs must match), naming the first element that differs.</summary>
    public static void BitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} floats, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} bit for bit");
            }
        }
    }

    /// <summary>Every element within the bound given by k and absoluteSums[i].</summary>
    public static void Within(string what, float[] candidate, float[] reference, int k, double[] absoluteSums)
    {
        Assert.Equal(reference.Length, candidate.Length);
        for (int i = 0; i < reference.Length; i++)
        {
            if (!Tolerance.Within(candidate[i], reference[i], k, absoluteSums[i]))
            {
                Assert.Fail($"{what}[{i}]: candidate {candidate[i]:R}, reference {reference[i]:R}, "
                    + $"|diff| {Math.Abs((double)candidate[i] - reference[i]):E3} > bound {Tolerance.Bound(k, absoluteSums[i]):E3}");
            }
        }
    }

    /// <summary>A = f(X·W + b): S = Σ|x·w| + |b| + |a|.</summary>
    public static void Forward(float[] x, float[] w, float[]? b, int batch, int inputs, int outputs, float[] candidate,
        float[] reference) =>
        Within("A", candidate, reference, inputs, ForwardSums(x, w, b, batch, inputs, outputs, reference));

    /// <summary>The S of each element of a dense forward pass; the reduction's terms count times
    /// <paramref name="maxSlope"/> (<see cref="Activation.MaxSlope"/>), which bounds how much f can grow an error in Z.</summary>
    public static double[] ForwardSums(float[] x, float[] w, float[]? b, int batch, int inputs, int outputs,
        float[] reference, double maxSlope = 1)
    {
        double[] s = new double[batch * outputs];
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < outputs; j++)
            {
                double sum = Math.Abs((double)(b?[j] ?? 0));
                for (int i = 0; i < inputs; i++)
                {
                    sum += Math.Abs((double)x[r * inputs + i] * w[i * outputs + j]);
                }
                s[r * outputs + j] = (sum * maxSlope) + Math.Abs((double)reference[r * outputs + j]);
            }
        }
        return s;
    }

    /// <summary>The S of each element of dZ, dW, db and dX, from the reference's dZ.</summary>
    public sealed record BackwardBounds(double[] Dz, double[] DW, double[] Db, double[] DX);

    /// <summary>dZ, dW, db and dX of a dense backward pass, each against the reference's.</summary>
    public static void Backward(Activation activation, float[] x, float[] w, float[] a, float[] deltaIn, int batch,
        int inputs, int outputs, (float[] Dz, float[] DW, float[]? Db, float[]? DX) candidate,
        (float[] Dz, float[] DW, float[]? Db, float[]? DX) reference) =>
        Backward(batch, inputs, outputs, candidate, reference,
            BackwardSums(activation, x, w, a, deltaIn, batch, inputs, outputs, reference.Dz));

    /// <summary>Compares with precomputed bounds.</summary>
    public static void Backward(int batch, int inputs, int outputs,
        (float[] Dz, float[] DW, float[]? Db, float[]? DX) candidate,
        (float[] Dz, float[] DW, float[]? Db, float[]? DX) reference, BackwardBounds bounds)
    {
        Within("dZ", candidate.Dz, reference.Dz, 1, bounds.Dz);
        Within("dW", candidate.DW, reference.DW, batch, bounds.DW);
        if (reference.Db is not null)
        {
            Within("db", candidate.Db!, reference.Db, batch, bounds.Db);
        }
        if (reference.DX is not null)
        {
            Within("dX", candidate.DX!, reference.DX, outputs, bounds.DX);
        }
    }

    /// <summary>
    /// S for dZ = dA ⊙ f'(a) (|dA|·m(f') + |dZ|, m the sum of the magnitudes of f''s terms), dW (Σ|x|·M), db (Σ M) and
    /// dX (Σ M·|w|), where M = max(|dZ|, |dA|·m(f')) is the magnitude dZ's own error is relative to: GELU' = Φ(z) + z·φ(z)
    /// cancels near z = −0.75, so there an error relative to its terms is much larger than |dZ|. <paramref name="z"/>
    /// is Z for the activations whose f' is taken at Z.
    /// </summary>
    public static BackwardBounds BackwardSums(Activation activation, float[] x, float[] w, float[] a, float[] deltaIn,
        int batch, int inputs, int outputs, float[] dz, float[]? z = null)
    {
        double[] sDz = new double[batch * outputs];
        double[] magnitude = new double[batch * outputs];
        for (int e = 0; e < sDz.Length; e++)
        {
            double derivative = z is null
                ? Math.Abs(ReferenceBackend.Derivative(activation, a[e]))
                : DerivativeTermsAt(activation, z[e]);
            sDz[e] = Math.Abs((double)deltaIn[e]) * derivative + Math.Abs((double)dz[e]);
            magnitude[e] = Math.Max(Math.Abs((double)dz[e]), Math.Abs((double)deltaIn[e]) * derivative);
        }

        double[] sDW = new double[inputs * outputs];
        for (int r = 0; r < batch; r++)
        {
            for (int i = 0; i < inputs; i++)
            {
                double xi = Math.Abs((double)x[r * inputs + i]);
                for (int j = 0; j < outputs; j++)
                {
                    sDW[i * outputs + j] += xi * Math.Abs(magnitude[r * outputs + j]);
                }
            }
        }

        double[] sDb = new double[outputs];
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < outputs; j++)
            {
                sDb[j] += Math.Abs((double)magnitude[r * outputs + j]);
            }
        }

        double[] sDX = new double[batch * inputs];
        for (int r = 0; r < batch; r++)
        {
            for (int i = 0; i < inputs; i++)
            {
                double sum = 0;
                for (int j = 0; j < outputs; j++)
                {
                    sum += Math.Abs((double)magnitude[r * outputs + j] * w[i * outputs + j]);
                }
                sDX[r * inputs + i] = sum;
            }
        }
        return new BackwardBounds(sDz, sDW, sDb, sDX);
    }

    /// <summary>The magnitude f'(z) is evaluated relative to, for the GELUs
    /// (<see cref="Tolerance.PreActivationDerivativeScale"/>).</summary>
    public static double DerivativeTermsAt(Activation activation, double z) =>
        Tolerance.PreActivationDerivativeScale(activation, z);

    /// <summary>dOutput (elementwise) and the accumulated metrics (a reduction over every element).</summary>
    public static void Loss(LossKind loss, float[] output, float[] targets, int batch, int outputs,
        float[] metricsBefore, (float[]? DOutput, float[] Metrics) candidate, (float[]? DOutput, float[] Metrics) reference)
    {
        double[] s = new double[batch * outputs];
        double lossMagnitude = Math.Abs((double)metricsBefore[0]);
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
            double lse = max + Math.Log(sumExp);
            for (int k = 0; k < outputs; k++)
            {
                int e = r * outputs + k;
                double o = output[e], t = targets[e], d = reference.DOutput?[e] ?? 0;
                switch (loss)
                {
                    case LossKind.HalfSquaredError:
                        s[e] = (Math.Abs(o) + Math.Abs(t)) / batch + Math.Abs(d);
                        lossMagnitude += 0.5 * (o - t) * (o - t);
                        break;
                    case LossKind.MeanSquaredError:
                        s[e] = 2 * (Math.Abs(o) + Math.Abs(t)) / ((double)outputs * batch) + Math.Abs(d);
                        lossMagnitude += (o - t) * (o - t) / outputs;
                        break;
                    default:
                        s[e] = (Math.Exp(o - lse) + Math.Abs(t)) / batch + Math.Abs(d);
                        // the terms t·(lse − z), and lse's own magnitudes: the row maximum and log Σ e^(z − max) ≥ 0
                        lossMagnitude += Math.Abs(t) * (Math.Abs(o) + Math.Abs(max) + Math.Log(sumExp));
                        break;
                }
            }
        }
        if (reference.DOutput is not null)
        {
            Within("dOutput", candidate.DOutput!, reference.DOutput, 1, s);
        }
        Within("loss", [candidate.Metrics[0]], [reference.Metrics[0]], batch * outputs, [lossMagnitude]);
        Assert.Equal(reference.Metrics[1], candidate.Metrics[1]);
    }

    /// <summary>
    /// Parameters and state after one optimizer step from the same (host) values: S per element is the sum of the
    /// magnitudes of the rule's terms, computed in float64 as the rule on <see cref="OptimizerKind"/> writes them, with
    /// g = ∇ + λθ counted at the magnitude of its own terms, |∇| + |λθ| (it can cancel).
    /// </summary>
    public static void Optimizer(in OptimizerStep step, float[] grad, float[] theta, float[] state,
        (float[] Theta, float[] State) candidate, (float[] Theta, float[] State) reference)
    {
        int n = grad.Length;
        double[] sTheta = new double[n], sState = new double[state.Length];
        double lr = step.LearningRate, mu = step.Momentum, b1 = step.Beta1, b2 = step.Beta2, eps = step.Epsilon;
        for (int i = 0; i < n; i++)
        {
            double g = grad[i] + step.WeightDecay * theta[i];
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
                        double sb = mu * Math.Abs(state[i]) + sg;
                        sState[i] = sb + Math.Abs(reference.State[i]);
                        update = step.Kind == OptimizerKind.Momentum ? lr * sb : lr * (sg + mu * sb);
                        break;
                    }
                case OptimizerKind.Adagrad:
                    {
                        double sum = state[i] + g * g;
                        sState[i] = Math.Abs(state[i]) + sg * sg + Math.Abs(reference.State[i]);
                        update = lr * sg / (Math.Sqrt(sum) + eps);
                        break;
                    }
                case OptimizerKind.RmsProp:
                    {
                        double v = b2 * state[i] + (1 - b2) * g * g;
                        sState[i] = b2 * Math.Abs(state[i]) + (1 - b2) * sg * sg + Math.Abs(reference.State[i]);
                        update = lr * sg / (Math.Sqrt(v) + eps);
                        break;
                    }
                default:
                    {
                        double sm = b1 * Math.Abs(state[i]) + (1 - b1) * sg;
                        double v = b2 * state[n + i] + (1 - b2) * g * g;
                        sState[i] = sm + Math.Abs(reference.State[i]);
                        sState[n + i] = b2 * Math.Abs(state[n + i]) + (1 - b2) * sg * sg
                            + Math.Abs(reference.State[n + i]);
                        update = step.Kind == OptimizerKind.Adam
                            ? step.AdamStepSize * sm / (Math.Sqrt(v) / step.AdamBiasCorrection2Sqrt + eps)
                            : (Math.Abs(step.NadamGradCoefficient) * sg + Math.Abs(step.NadamMomentCoefficient) * sm)
                                / (Math.Sqrt(v / step.NadamBiasCorrection2) + eps);
                        break;
                    }
            }
            sTheta[i] = Math.Abs((double)theta[i]) + update + Math.Abs((double)reference.Theta[i]);
        }
        Within("parameters", candidate.Theta, reference.Theta, 1, sTheta);
        Within("state", candidate.State, reference.State, 1, sState);
    }
}
