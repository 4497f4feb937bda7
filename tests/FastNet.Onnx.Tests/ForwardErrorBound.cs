using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Onnx.Tests;

/// <summary>
/// How far two float32 evaluations of the same network may differ, from the project's tolerance rule
/// (<see cref="Tolerance"/>) applied layer by layer to the actual terms.
/// <para>
/// Each unit's value is a reduction of K = fan-in (+1 with a bias) products followed by its activation, so one
/// evaluation is within Tolerance.Bound(K, S) of the exact value computed from its own inputs, with S the absolute
/// sum of the products, the bias and the result. An error e in the inputs adds Σᵢ|wᵢ|·eᵢ to Z, and an error in Z
/// reaches A times at most L = <see cref="Activation.MaxSlope"/> (1 for every activation but the GELUs, 1.13). Both evaluations are within the propagated bound E of the exact network, so they
/// differ by at most 2E. The features entering the first layer are the same bits on both sides (the folded
/// preprocessing is checked to be exact separately), so E starts at 0.
/// </para>
/// <para>
/// Probabilities: a float32 softmax is within Tolerance.Bound(C, pₖ) of the exact softmax of its own logits
/// (C classes, each step a few roundings relative to pₖ), and |∂pₖ/∂zⱼ| sums to at most 2pₖ over j, so a logit
/// difference of at most D moves pₖ by at most 2pₖD.
/// </para>
/// </summary>
internal static class ForwardErrorBound
{
    /// <summary>The allowed |a − b| for each output ([rows, outputs]) of <paramref name="model"/> on
    /// <paramref name="scaled"/> ([rows, inputs], the first layer's input).</summary>
    public static double[] Outputs(Model.Model model, float[] scaled)
    {
        NetworkSpec spec = model.Spec;
        int rows = scaled.Length / spec.Inputs;
        double[] x = [.. scaled.Select(v => (double)v)];
        double[] e = new double[x.Length];
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            LayerSpec layer = spec.Layers[l];
            int fanIn = spec.InputsOf(l), units = layer.Units;
            int k = fanIn + (layer.HasBias ? 1 : 0);
            double[] a = new double[rows * units], next = new double[rows * units];
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < units; j++)
                {
                    double z = layer.HasBias ? model.Bias(l, j) : 0;
                    double absolute = Math.Abs(z), propagated = 0;
                    for (int i = 0; i < fanIn; i++)
                    {
                        double w = model.Weight(l, j, i);
                        z += w * x[r * fanIn + i];
                        absolute += Math.Abs(w * x[r * fanIn + i]);
                        propagated += Math.Abs(w) * e[r * fanIn + i];
                    }
                    a[r * units + j] = Activate(layer.Activation, z);
                    double slope = layer.Activation.MaxSlope;
                    next[r * units + j] = slope * propagated
                        + Tolerance.Bound(k, slope * absolute + Math.Abs(a[r * units + j]));
                }
            }
            (x, e) = (a, next);
        }
        return [.. e.Select(v => 2 * v)];
    }

    /// <summary>The allowed |a − b| for each probability, given the allowed logit differences
    /// <paramref name="logitBounds"/> and the probabilities <paramref name="probabilities"/> ([rows, classes]).</summary>
    public static double[] Probabilities(double[] logitBounds, float[] probabilities, int classes)
    {
        double[] bounds = new double[probabilities.Length];
        for (int r = 0; r < probabilities.Length / classes; r++)
        {
            double largest = logitBounds.AsSpan(r * classes, classes).ToArray().Max();
            for (int c = 0; c < classes; c++)
            {
                double p = probabilities[r * classes + c];
                bounds[r * classes + c] = Tolerance.Bound(classes, p) + 2 * p * largest;
            }
        }
        return bounds;
    }

    private static double Activate(Activation activation, double z) => activation.Kind switch
    {
        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-z)),
        ActivationKind.Tanh => Math.Tanh(z),
        ActivationKind.Relu => Math.Max(0, z),
        ActivationKind.Identity => z,
        _ => Kernels.Reference.ReferenceBackend.Activate(activation, z),
    };
}
