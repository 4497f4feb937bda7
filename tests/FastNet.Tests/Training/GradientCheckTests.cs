using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// Backpropagation on the reference against central finite differences of an independent float64 loss, for every
/// hidden activation × loss on small random networks with biases.
/// </summary>
public class GradientCheckTests
{
    public static TheoryData<Activation, LossKind> Cases()
    {
        var data = new TheoryData<Activation, LossKind>();
        foreach (Activation activation in Activation.OneOfEachKind)
        {
            foreach (LossKind loss in Enum.GetValues<LossKind>())
            {
                data.Add(activation, loss);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnalyticGradientMatchesCentralDifferences(Activation hidden, LossKind loss)
    {
        const int rows = 4, inputs = 3, width = 5, outputs = 3;
        var random = new SeededRandom(7 + (ulong)hidden.Kind * 10 + (ulong)loss);
        Activation output = loss == LossKind.SoftmaxCrossEntropy ? Activation.Identity : hidden;
        var spec = new NetworkSpec(inputs, [new LayerSpec(width, hidden), new LayerSpec(4, hidden), new LayerSpec(outputs, output)]);
        var model = new Model.Model(spec, [.. Enumerable.Range(0, spec.ParameterCount).Select(_ => (float)random.NextDouble(-1, 1))]);
        float[] x = [.. Enumerable.Range(0, rows * inputs).Select(_ => (float)random.NextDouble(-2, 2))];
        float[] t = Targets(loss, rows, outputs, random);

        float[] analytic = ReferenceGradient(model, x, t, rows, loss);

        double[] theta = [.. model.Parameters.Select(v => (double)v)];
        double[] numeric = new double[theta.Length];
        double[] truncation = new double[theta.Length];
        for (int p = 0; p < theta.Length; p++)
        {
            double coarse = Central(spec, theta, x, t, rows, loss, p, 2e-4);
            numeric[p] = Central(spec, theta, x, t, rows, loss, p, 1e-4);
            // Richardson: the O(h²) truncation error of the finer estimate is about a third of their difference.
            truncation[p] = Math.Abs(coarse - numeric[p]) / 3 + 1e-9;
        }
        double scale = numeric.Sum(Math.Abs);
        // The analytic gradient is a sum over at most rows × widest layer paths, each a product through float32
        // stores, so the tolerance rule applies with that reduction length and the gradient's l1 norm as its scale.
        int k = rows * width * spec.Layers.Count;
        for (int p = 0; p < theta.Length; p++)
        {
            double allowed = Tolerance.Bound(k, scale) + truncation[p];
            Assert.True(Math.Abs(analytic[p] - numeric[p]) <= allowed,
                $"parameter {p}: backprop {analytic[p]:G9}, finite differences {numeric[p]:G9}, allowed ±{allowed:G3}");
        }
    }

    private static float[] ReferenceGradient(Model.Model model, float[] x, float[] t, int rows, LossKind loss)
    {
        using IBackend backend = Backends.Create("reference");
        using var network = new TrainingNetwork(backend, model, loss, new OptimizerSettings(), rows);
        using FloatBuffer xb = backend.Allocate(x.Length), tb = backend.Allocate(t.Length);
        backend.Upload(x, xb.All);
        backend.Upload(t, tb.All);
        network.ComputeGradients(xb.All, tb.All, rows);
        float[] gradient = new float[model.Parameters.Length];
        backend.Download(network.Gradients, gradient);
        return gradient;
    }

    private static double Central(NetworkSpec spec, double[] theta, float[] x, float[] t, int rows, LossKind loss,
        int p, double h)
    {
        double saved = theta[p];
        theta[p] = saved + h;
        double plus = DoubleNetwork.BatchLoss(spec, theta, x, t, rows, loss);
        theta[p] = saved - h;
        double minus = DoubleNetwork.BatchLoss(spec, theta, x, t, rows, loss);
        theta[p] = saved;
        return (plus - minus) / (2 * h);
    }

    private static float[] Targets(LossKind loss, int rows, int outputs, SeededRandom random)
    {
        if (loss == LossKind.SoftmaxCrossEntropy)
        {
            return FastNet.Data.Dataset.OneHot([.. Enumerable.Range(0, rows).Select(_ => random.NextInt(outputs))], outputs);
        }
        return [.. Enumerable.Range(0, rows * outputs).Select(_ => (float)random.NextDouble(0, 1))];
    }
}
