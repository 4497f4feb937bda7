using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Tests.Training;

/// <summary>
/// An independent float64 evaluation of a network's batch loss as a function of its flat parameters, written from
/// the formulas and sharing no code with the backends: the yardstick for finite-difference gradient checks.
/// </summary>
internal static class DoubleNetwork
{
    public static double BatchLoss(NetworkSpec spec, double[] theta, float[] x, float[] t, int rows, LossKind loss,
        DropoutRates? dropout = null, long step = 0)
    {
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            double[] a = [.. x.AsSpan(r * spec.Inputs, spec.Inputs).ToArray().Select(v => (double)v)];
            for (int l = 0; l < spec.Layers.Count; l++)
            {
                LayerSpec layer = spec.Layers[l];
                int inputs = spec.InputsOf(l);
                double[] next = new double[layer.Units];
                for (int j = 0; j < layer.Units; j++)
                {
                    double net = layer.HasBias ? theta[spec.BiasOffset(l) + j] : 0;
                    for (int i = 0; i < inputs; i++)
                    {
                        net += a[i] * theta[spec.WeightOffset(l) + i * layer.Units + j];
                    }
                    next[j] = layer.Activation.Kind switch
                    {
                        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-net)),
                        ActivationKind.Tanh => Math.Tanh(net),
                        ActivationKind.Relu => Math.Max(0, net),
                        ActivationKind.LeakyRelu => net > 0 ? net : layer.Activation.Slope * net,
                        // erf is the one function borrowed from the reference (its goldens check it on their own)
                        ActivationKind.Gelu => net * 0.5 * Kernels.Reference.ReferenceBackend.Erfc(-net / Math.Sqrt(2)),
                        ActivationKind.GeluTanh =>
                            0.5 * net * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (net + 0.044715 * net * net * net))),
                        ActivationKind.Identity => net,
                        _ => throw new ArgumentOutOfRangeException(nameof(spec), layer.Activation, "unknown activation"),
                    };
                }
                if (dropout is not null && dropout.RateOf(l) > 0)
                {
                    // the mask of the step, as the training pass draws it: element row·units + unit
                    DropoutMask mask = dropout.Mask(step, l, 0, layer.Units);
                    for (int j = 0; j < layer.Units; j++)
                    {
                        next[j] *= mask.Keeps(r * layer.Units + j) ? mask.Scale : 0;
                    }
                }
                a = next;
            }
            total += ExampleLoss(a, t.AsSpan(r * spec.Outputs, spec.Outputs), loss);
        }
        return total / rows;
    }

    private static double ExampleLoss(double[] o, ReadOnlySpan<float> t, LossKind loss)
    {
        double sum = 0;
        switch (loss)
        {
            case LossKind.HalfSquaredError:
                for (int k = 0; k < o.Length; k++)
                {
                    sum += 0.5 * (t[k] - o[k]) * (t[k] - o[k]);
                }
                return sum;
            case LossKind.MeanSquaredError:
                for (int k = 0; k < o.Length; k++)
                {
                    sum += (t[k] - o[k]) * (t[k] - o[k]);
                }
                return sum / o.Length;
            default:
                double max = o.Max();
                double z = o.Sum(v => Math.Exp(v - max));
                for (int k = 0; k < o.Length; k++)
                {
                    sum -= t[k] * (o[k] - max - Math.Log(z));
                }
                return sum;
        }
    }
}
