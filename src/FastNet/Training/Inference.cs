using System.Globalization;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Training;

/// <summary>Forward passes only: the outputs of a model for many examples, computed on a backend in chunks.</summary>
public static class Inference
{
    /// <summary>The output layer's values ([rows, outputs]) for <paramref name="features"/> ([rows, inputs]).</summary>
    public static float[] Outputs(IBackend backend, Model.Model model, float[] features, int chunk = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length % model.Spec.Inputs != 0)
        {
            throw new ArgumentException($"{features.Length} values do not form rows of the model's {model.Spec.Inputs} inputs");
        }
        return Outputs(backend, model, features.Length / model.Spec.Inputs, chunk,
            (first, n) => features.AsSpan(first * model.Spec.Inputs, n * model.Spec.Inputs));
    }

    /// <summary>The model's outputs for every row of <paramref name="data"/>, its rows read a chunk at a time: a
    /// compact set (bytes scaled as they are read) is never held as floats whole.</summary>
    public static float[] Outputs(IBackend backend, Model.Model model, Dataset data, int chunk = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != model.Spec.Inputs)
        {
            throw new ArgumentException($"{data.Name}: rows of {data.FeatureCount} features; the model takes {model.Spec.Inputs} inputs");
        }
        float[] rows = new float[Math.Min(chunk, Math.Max(1, data.Count)) * data.FeatureCount];
        return Outputs(backend, model, data.Count, chunk, (first, n) =>
        {
            data.CopyFeatures(first, n, rows);
            return rows.AsSpan(0, n * data.FeatureCount);
        });
    }

    // rows [first, first + n) of the input, as a span that stays valid until the next call
    private delegate ReadOnlySpan<float> RowsOf(int first, int n);

    private static float[] Outputs(IBackend backend, Model.Model model, int rows, int chunk, RowsOf input)
    {
        ArgumentNullException.ThrowIfNull(backend);
        NetworkSpec spec = model.Spec;
        long values = (long)rows * spec.Outputs;
        if (values > Array.MaxLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the outputs of {rows:N0} rows of {spec.Outputs:N0} outputs are {values:N0} values, more than one array holds ({Array.MaxLength:N0}); score fewer rows at a time"));
        }
        float[] outputs = new float[values];
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
            BufferView batch = x.Slice(0, n * spec.Inputs);
            backend.Upload(input(first, n), batch);
            BufferView output = network.Forward(batch, n);
            backend.Download(output, outputs.AsSpan(first * spec.Outputs, n * spec.Outputs));
        }
        return outputs;
    }

    /// <summary>Softmax of each row of <paramref name="logits"/> ([rows, classes]), in float64 with the row maximum
    /// subtracted.</summary>
    public static float[] Softmax(float[] logits, int classes)
    {
        RequireRows(logits, classes, nameof(logits));
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
        RequireRows(values, columns, nameof(values));
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

    // whole rows of a positive width, so that no value is dropped or divided by zero
    private static void RequireRows(float[] values, int width, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (values.Length % width != 0)
        {
            throw new ArgumentException($"{values.Length} values do not form rows of {width}", name);
        }
    }
}
