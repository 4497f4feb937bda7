using FastNet.Kernels.Reference;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>The same data on both backends: a view of a GPU buffer and a view of a reference buffer.</summary>
public readonly record struct Twin(BufferView Gpu, BufferView Ref)
{
    public int Length => Gpu.Length;

    public Twin Slice(int offset, int length) => new(Gpu.Slice(offset, length), Ref.Slice(offset, length));

    public static Twin Empty => new(BufferView.Empty, BufferView.Empty);
}

/// <summary>
/// Runs each op on the GPU backend (on ILGPU's CPU accelerator) and on the reference with identical inputs — the
/// GPU's current contents are copied to the reference first, so a multi-step run checks every op on the GPU's own
/// trajectory — and compares every output with <see cref="Tolerance.Within"/>. The absolute sums S are computed
/// here, in float64, from the reference's operands.
/// </summary>
public sealed class Harness : IDisposable
{
    private readonly List<FloatBuffer> _owned = [];

    public Harness(GpuBackend gpu)
    {
        Gpu = gpu;
    }

    public GpuBackend Gpu { get; }

    public ReferenceBackend Reference { get; } = new();

    public Twin Allocate(int length)
    {
        FloatBuffer g = Gpu.Allocate(length), r = Reference.Allocate(length);
        _owned.Add(g);
        _owned.Add(r);
        return new Twin(g.All, r.All);
    }

    public Twin Upload(float[] values)
    {
        Twin twin = Allocate(values.Length);
        Gpu.Upload(values, twin.Gpu);
        Reference.Upload(values, twin.Ref);
        return twin;
    }

    public float[] ReadGpu(Twin twin) => Read(Gpu, twin.Gpu);

    public float[] ReadRef(Twin twin) => Read(Reference, twin.Ref);

    public static float[] Read(IBackend backend, BufferView view)
    {
        float[] values = new float[view.Length];
        if (!view.IsEmpty)
        {
            backend.Download(view, values);
        }
        return values;
    }

    /// <summary>Copies the GPU's contents of <paramref name="twin"/> to its reference side; returns them.</summary>
    public float[] Sync(Twin twin)
    {
        float[] values = ReadGpu(twin);
        if (values.Length > 0)
        {
            Reference.Upload(values, twin.Ref);
        }
        return values;
    }

    /// <summary>DenseForward; with <paramref name="splitEpilogue"/> the GPU side runs as its cuBLAS path does: a bare
    /// product, then the separate bias + activation kernel.</summary>
    public void Forward(Twin x, Twin w, Twin b, int batch, int inputs, int outputs, Activation activation, Twin a,
        bool splitEpilogue = false)
    {
        float[] X = Sync(x), W = Sync(w), B = Sync(b);
        if (splitEpilogue)
        {
            Gpu.DenseForward(x.Gpu, w.Gpu, BufferView.Empty, batch, inputs, outputs, Activation.Identity, a.Gpu);
            Gpu.ApplyBiasActivation(b.Gpu, batch, outputs, activation, a.Gpu);
        }
        else
        {
            Twin z = activation.NeedsPreActivation ? Allocate(batch * outputs) : Twin.Empty;
            Gpu.DenseForward(x.Gpu, w.Gpu, b.Gpu, batch, inputs, outputs, activation, a.Gpu, z.Gpu);
        }
        Twin zRef = activation.NeedsPreActivation ? Allocate(batch * outputs) : Twin.Empty;
        Reference.DenseForward(x.Ref, w.Ref, b.Ref, batch, inputs, outputs, activation, a.Ref, zRef.Ref);
        float[] expected = ReadRef(a);
        var sums = new double[batch * outputs];
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < outputs; j++)
            {
                // the bias is one more term of the reduction; the activation's result counts as an operand; an error
                // in Z reaches A times at most |f'| ≤ MaxSlope
                double s = B.Length == 0 ? 0 : Math.Abs(B[j]);
                for (int i = 0; i < inputs; i++)
                {
                    s += Math.Abs((double)X[r * inputs + i] * W[i * outputs + j]);
                }
                sums[r * outputs + j] = s * activation.MaxSlope + Math.Abs(expected[r * outputs + j]);
            }
        }
        AssertWithin(ReadGpu(a), expected, inputs + 1, sums, $"DenseForward {activation} A");
    }

    /// <summary>DenseBackward; <paramref name="z"/> is Z for the activations that keep it, else empty.</summary>
    public void Backward(Twin x, Twin w, Twin a, int batch, int inputs, int outputs, Activation activation,
        Twin delta, Twin dW, Twin db, Twin dX, Twin z = default)
    {
        float[] X = Sync(x), W = Sync(w), A = Sync(a), D = Sync(delta), Z = Sync(z);
        Gpu.DenseBackward(x.Gpu, w.Gpu, a.Gpu, batch, inputs, outputs, activation, delta.Gpu, dW.Gpu, db.Gpu, dX.Gpu,
            z.Gpu);
        Reference.DenseBackward(x.Ref, w.Ref, a.Ref, batch, inputs, outputs, activation, delta.Ref, dW.Ref, db.Ref,
            dX.Ref, z.Ref);
        float[] dz = ReadRef(delta);

        // |dZ| as the sum of the magnitudes of the terms of ∂L/∂A·f'(A) (f' = a − a², 1 − a², [a > 0], 1): what the
        // derivative product and every reduction over dZ below start from.
        var dzMagnitude = new double[batch * outputs];
        for (int e = 0; e < dz.Length; e++)
        {
            dzMagnitude[e] = Math.Abs((double)D[e])
                * (Z.Length > 0 ? PreActivationDerivativeMagnitude(activation, Z[e]) : DerivativeMagnitude(activation, A[e]));
        }
        AssertWithin(ReadGpu(delta), dz, 1, [.. dzMagnitude.Select((m, e) => m + Math.Abs(dz[e]))],
            $"DenseBackward {activation} dZ");

        var dwSums = new double[inputs * outputs];
        for (int i = 0; i < inputs; i++)
        {
            for (int j = 0; j < outputs; j++)
            {
                double s = 0;
                for (int r = 0; r < batch; r++)
                {
                    s += Math.Abs((double)X[r * inputs + i]) * dzMagnitude[r * outputs + j];
                }
                dwSums[i * outputs + j] = s;
            }
        }
        AssertWithin(ReadGpu(dW), ReadRef(dW), batch, dwSums, $"DenseBackward {activation} dW");

        if (db.Length > 0)
        {
            var dbSums = new double[outputs];
            for (int j = 0; j < outputs; j++)
            {
                for (int r = 0; r < batch; r++)
                {
                    dbSums[j] += dzMagnitude[r * outputs + j];
                }
            }
            AssertWithin(ReadGpu(db), ReadRef(db), batch, dbSums, $"DenseBackward {activation} db");
        }

        if (dX.Length > 0)
        {
            var dxSums = new double[batch * inputs];
            for (int r = 0; r < batch; r++)
            {
                for (int i = 0; i < inputs; i++)
                {
                    double s = 0;
                    for (int j = 0; j < outputs; j++)
                    {
                        s += dzMagnitude[r * outputs + j] * Math.Abs((double)W[i * outputs + j]);
                    }
                    dxSums[r * inputs + i] = s;
                }
            }
            AssertWithin(ReadGpu(dX), ReadRef(dX), outputs, dxSums, $"DenseBackward {activation} dX");
        }
    }

    public void Loss(Twin output, Twin targets, int batch, int outputs, LossKind loss, Twin dOutput, Twin metrics)
    {
        float[] O = Sync(output), T = Sync(targets), M = Sync(metrics);
        Gpu.Loss(output.Gpu, targets.Gpu, batch, outputs, loss, dOutput.Gpu, metrics.Gpu);
        Reference.Loss(output.Ref, targets.Ref, batch, outputs, loss, dOutput.Ref, metrics.Ref);

        var gradientSums = new double[batch * outputs];
        double lossSum = Math.Abs(M[0]);
        for (int r = 0; r < batch; r++)
        {
            double max = double.NegativeInfinity, sumExp = 0;
            for (int j = 0; j < outputs; j++)
            {
                max = Math.Max(max, O[r * outputs + j]);
            }
            for (int j = 0; j < outputs; j++)
            {
                sumExp += Math.Exp(O[r * outputs + j] - max);
            }
            for (int j = 0; j < outputs; j++)
            {
                int e = r * outputs + j;
                double o = O[e], t = T[e], diff = o - t;
                switch (loss)
                {
                    case LossKind.HalfSquaredError:
                        gradientSums[e] = (Math.Abs(o) + Math.Abs(t)) / batch;
                        lossSum += 0.5 * diff * diff;
                        break;
                    case LossKind.MeanSquaredError:
                        gradientSums[e] = 2 * (Math.Abs(o) + Math.Abs(t)) / ((double)outputs * batch);
                        lossSum += diff * diff / outputs;
                        break;
                    default:
                        // y = e^(z − max)/Σe: the shift's rounding is amplified by |z − max| in y; log Σe carries an
                        // absolute error of its argument's relative error (the 1)
                        double y = Math.Exp(o - max) / sumExp;
                        gradientSums[e] = (y * (1 + Math.Abs(o - max)) + Math.Abs(t)) / batch;
                        lossSum += Math.Abs(t) * (Math.Abs(o - max) + Math.Abs(Math.Log(sumExp)) + 1);
                        break;
                }
            }
        }
        if (dOutput.Length > 0)
        {
            AssertWithin(ReadGpu(dOutput), ReadRef(dOutput), outputs, gradientSums, $"Loss {loss} dOutput");
        }
        float[] got = ReadGpu(metrics), want = ReadRef(metrics);
        AssertWithin([got[0]], [want[0]], batch * outputs, [lossSum], $"Loss {loss} metrics[0]");
        Assert.Equal(want[1], got[1]);
    }

    public void Optimizer(Twin dParameters, in OptimizerStep step, Twin parameters, Twin state)
    {
        float[] G = Sync(dParameters), P = Sync(parameters), S = Sync(state);
        Gpu.OptimizerStep(dParameters.Gpu, step, parameters.Gpu, state.Gpu);
        Reference.OptimizerStep(dParameters.Ref, step, parameters.Ref, state.Ref);

        // Running error analysis: each quantity's magnitude is its formula evaluated on magnitudes (the
        // denominators are sums of non-negative terms and need no such treatment).
        int n = G.Length;
        var pSums = new double[n];
        var sSums = new double[S.Length];
        double lr = step.LearningRate, mu = step.Momentum, b1 = step.Beta1, b2 = step.Beta2, eps = step.Epsilon;
        for (int i = 0; i < n; i++)
        {
            double p = Math.Abs((double)P[i]);
            double g = Math.Abs((double)G[i]) + Math.Abs(step.WeightDecay * P[i]);
            double gv = G[i] + step.WeightDecay * P[i];
            switch (step.Kind)
            {
                case OptimizerKind.Sgd:
                    pSums[i] = p + lr * g;
                    break;
                case OptimizerKind.Momentum:
                case OptimizerKind.Nesterov:
                    sSums[i] = mu * Math.Abs(S[i]) + g;
                    pSums[i] = p + lr * (step.Kind == OptimizerKind.Momentum ? sSums[i] : g + mu * sSums[i]);
                    break;
                case OptimizerKind.Adagrad:
                    sSums[i] = S[i] + g * g;
                    pSums[i] = p + lr * g / (Math.Sqrt(S[i] + gv * gv) + eps);
                    break;
                case OptimizerKind.RmsProp:
                    sSums[i] = b2 * S[i] + (1 - b2) * g * g;
                    pSums[i] = p + lr * g / (Math.Sqrt(b2 * S[i] + (1 - b2) * gv * gv) + eps);
                    break;
                case OptimizerKind.Adam:
                case OptimizerKind.Nadam:
                    {
                        sSums[i] = b1 * Math.Abs(S[i]) + (1 - b1) * g;
                        sSums[n + i] = b2 * S[n + i] + (1 - b2) * g * g;
                        double v = b2 * S[n + i] + (1 - b2) * gv * gv;
                        pSums[i] = p + (step.Kind == OptimizerKind.Adam
                            ? step.AdamStepSize * sSums[i] / (Math.Sqrt(v) / step.AdamBiasCorrection2Sqrt + eps)
                            : (Math.Abs(step.NadamGradCoefficient) * g
                                + Math.Abs(step.NadamMomentCoefficient) * sSums[i])
                                / (Math.Sqrt(v / step.NadamBiasCorrection2) + eps));
                        break;
                    }
            }
        }
        float[] pRef = ReadRef(parameters), sRef = ReadRef(state);
        AssertWithin(ReadGpu(parameters), pRef, 1, [.. pSums.Select((s, i) => s + Math.Abs(pRef[i]))],
            $"OptimizerStep {step.Kind} parameters");
        AssertWithin(ReadGpu(state), sRef, 1, [.. sSums.Select((s, i) => s + Math.Abs(sRef[i]))],
            $"OptimizerStep {step.Kind} state");
    }

    /// <summary>The sum of the magnitudes of the terms of f'(a) written through a.</summary>
    public static double DerivativeMagnitude(Activation activation, double a) => activation.Kind switch
    {
        ActivationKind.Sigmoid => Math.Abs(a) + a * a,
        ActivationKind.Tanh => 1 + a * a,
        ActivationKind.Relu => a > 0 ? 1 : 0,
        ActivationKind.LeakyRelu => a > 0 ? 1 : activation.Slope,
        _ => 1,
    };

    /// <summary>The magnitude f'(z) is evaluated relative to, for the GELUs
    /// (<see cref="Tolerance.PreActivationDerivativeScale"/>).</summary>
    public static double PreActivationDerivativeMagnitude(Activation activation, double z) =>
        Tolerance.PreActivationDerivativeScale(activation, z);

    public static void AssertWithin(float[] candidate, float[] reference, int k, double[] absoluteSums, string what)
    {
        Assert.Equal(reference.Length, candidate.Length);
        for (int e = 0; e < reference.Length; e++)
        {
            if (!Tolerance.Within(candidate[e], reference[e], k, absoluteSums[e]))
            {
                Assert.Fail($"{what}[{e}]: gpu {candidate[e]:R}, reference {reference[e]:R}, difference "
                    + $"{Math.Abs((double)candidate[e] - reference[e]):E3} > bound "
                    + $"{Tolerance.Bound(k, absoluteSums[e]):E3} (k = {k}, S = {absoluteSums[e]:E3})");
            }
        }
    }

    public void Dispose()
    {
        foreach (FloatBuffer buffer in _owned)
        {
            buffer.Dispose();
        }
        _owned.Clear();
        Reference.Dispose();
    }
}
