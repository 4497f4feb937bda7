using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Training;

/// <summary>Forward passes only: the outputs of a model for many examples, computed on a backend in chunks.</summary>
public static class Inference
{
    /// <summary>The output layer's values ([rows, outputs]) for <paramref name="features"/> ([rows, inputs]).</summary>
    public static float[] Outputs(IBackend backend, Model.Model model, float[] features, int chunk = 512)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        NetworkSpec spec = model.Spec;
        if (features.Length % spec.Inputs != 0)
        {
            throw new ArgumentException($"{features.Length} values do not form rows of the model's {spec.Inputs} inputs");
        }
        int rows = features.Length / spec.Inputs;
        float[] outputs = new float[rows * spec.Outputs];
        if (rows == 0)
        {
            return outputs;
        }
        chunk = Math.Min(chunk, rows);
        // The loss is irrelevant to a forward pass; plain SGD keeps no optimizer state.
        using var network = new TrainingNetwork(backend, model, LossKind.HalfSquaredError,
            new OptimizerSettings { Kind = OptimizerKind.Sgd }, chunk);
        using FloatBuffer x = backend.Allocate(chunk * spec.Inputs);
        for (int first = 0; first < rows; first += chunk)
        {
            int n = Math.Min(chunk, rows - first);
            BufferView input = x.Slice(0, n * spec.Inputs);
            backend.Upload(features.AsSpan(first * spec.Inputs, n * spec.Inputs), input);
            BufferView output = network.Forward(input, n);
            backend.Download(output, outputs.AsSpan(first * spec.Outputs, n * spec.Outputs));
        }
        return outputs;
    }

    /// <summary>Softmax of each row of <paramref name="logits"/> ([rows, classes]), in float64 with the row maximum
    /// subtracted.</summary>
    public static float[] Softmax(float[] logits, int classes)
    {
        ArgumentNullException.ThrowIfNull(logits);
        float[] probabilities = new float[logits.Length];
        for (int r = 0; r < logits.Length / classes; r++)
        {
            ReadOnlySpan<float> z = logits.AsSpan(r * classes, classes);
            double max = double.NegativeInfinity, sum = 0;
            foreach (float v in z)
            {
                max = Math.Max(max, v);
            }
            foreach (float v in z)
            {
                sum += Math.Exp(v - max);
            }
            for (int k = 0; k < classes; k++)
            {
                probabilities[r * classes + k] = (float)(Math.Exp(z[k] - max) / sum);
            }
        }
        return probabilities;
    }

    /// <summary>The index of the largest value of each row (first wins on ties), as the backends' accuracy counts.</summary>
    public static int[] ArgMax(float[] values, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        int[] best = new int[values.Length / columns];
        for (int r = 0; r < best.Length; r++)
        {
            for (int k = 1; k < columns; k++)
            {
                if (values[r * columns + k] > values[r * columns + best[r]])
                {
                    best[r] = k;
                }
            }
        }
        return best;
    }
}
