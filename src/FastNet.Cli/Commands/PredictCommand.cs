using System.CommandLine;
using System.Globalization;
using System.Text;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>
/// <c>fastnet predict</c>: a model's outputs for every row of a CSV file (features only) or an IDX image file, written
/// as CSV. With a softmax output (identity output layer, several units) the row is the predicted class and the class
/// probabilities; with several other outputs, the arg-max and the raw outputs; with one output, its value.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "a model file (.json) or a checkpoint", Required = true };
        var input = new Option<string>("--input") { Description = "a CSV file of features or an IDX images file (raw or .gz)", Required = true };
        var divide = new Option<float>("--divide") { Description = "divide every input value by this first (e.g. 255 for images, 16 for digits)", DefaultValueFactory = _ => 1 };
        var outputPath = new Option<string>("--output") { Description = "the CSV file to write", Required = true };
        var backend = new Option<string>("--backend") { Description = "backend", DefaultValueFactory = _ => BackendRegistry.Auto };
        var command = new Command("predict", "Write a model's predictions for a CSV or IDX input as CSV")
        {
            model, input, divide, outputPath, backend,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            string target = parse.GetValue(outputPath)!;
            OutputTarget.CheckWritable(target, "--output");
            ModelSource source = ModelSource.Load(parse.GetValue(model)!);
            string path = parse.GetValue(input)!;
            float[] features = ReadFeatures(path, source.Model.Spec.Inputs);
            float divisor = parse.GetValue(divide);
            if (!(divisor > 0) || !float.IsFinite(divisor))
            {
                throw new ArgumentException($"--divide: expected a positive number, got {divisor}");
            }
            for (int i = 0; i < features.Length && divisor != 1; i++)
            {
                features[i] /= divisor;
            }
            using IBackend b = BackendRegistry.Create(parse.GetValue(backend)!);
            float[] outputs = Inference.Outputs(b, source.Model, features);
            int k = source.Model.Spec.Outputs;
            AtomicFile.WriteAllText(target, Format(outputs, k, source.SoftmaxOutputs));
            output.WriteLine($"wrote {outputs.Length / k} predictions to {target}");
            return 0;
        }));
        return command;
    }

    private static float[] ReadFeatures(string path, int inputs)
    {
        bool idx;
        using (Stream stream = DataFile.OpenRead(path))
        {
            Span<byte> head = stackalloc byte[4];
            idx = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head[0] == 0 && head[1] == 0 && head[2] == 8;
        }
        if (idx)
        {
            IdxImages images = IdxReader.ReadImages(path);
            if (images.Rows * images.Columns != inputs)
            {
                throw new DataFormatException(path, $"images of {images.Rows}x{images.Columns} = {images.Rows * images.Columns} pixels; the model takes {inputs} inputs");
            }
            return images.Pixels;
        }
        (float[] features, int columns) = CsvLoader.LoadFeatures(path);
        if (columns != inputs)
        {
            throw new DataFormatException(path, $"rows of {columns} values; the model takes {inputs} inputs (give features only)", line: 1);
        }
        return features;
    }

    private static string Format(float[] outputs, int k, bool softmax)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        if (k == 1)
        {
            text.Append("output\n");
            foreach (float v in outputs)
            {
                text.Append(v.ToString("R", c)).Append('\n');
            }
            return text.ToString();
        }
        float[] values = softmax ? Inference.Softmax(outputs, k) : outputs;
        int[] classes = Inference.ArgMax(outputs, k);
        string prefix = softmax ? "p" : "output";
        text.Append("class,").AppendJoin(',', Enumerable.Range(0, k).Select(j => prefix + j.ToString(c))).Append('\n');
        for (int r = 0; r < classes.Length; r++)
        {
            text.Append(classes[r].ToString(c));
            for (int j = 0; j < k; j++)
            {
                text.Append(',').Append(values[r * k + j].ToString("R", c));
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
