using System.CommandLine;
using System.Globalization;
using System.Text;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>
/// <c>fastnet predict</c>: a model's outputs for every row of a CSV file (features only) or an IDX image file, written
/// as CSV, after the preprocessing the model records. With a softmax output (identity output layer, several units) the row is the predicted class and the class
/// probabilities; with several other outputs, the arg-max and the raw outputs; with one output, its value.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "a model file (.json), a checkpoint or an ONNX file (.onnx)", Required = true };
        var input = new Option<string>("--input") { Description = "a CSV file of features or an IDX images file (raw or .gz)", Required = true };
        var divide = new Option<float?>("--divide")
        {
            Description = "only for model files that do not record their preprocessing: divide every input value by this first "
                + "(e.g. 255 for images, 16 for digits)",
            CustomParser = DecimalOption.Single,
        };
        var header = new Option<string>("--header") { Description = HeaderOption.Description, DefaultValueFactory = _ => "auto" };
        var outputPath = new Option<string>("--output")
        {
            Description = $"the CSV file to write, or {OutputTarget.StandardOutput} for standard output",
            Required = true,
        };
        var backend = new Option<string>("--backend") { Description = OptionTexts.Backend, DefaultValueFactory = _ => BackendRegistry.Auto };
        var command = new Command("predict", "Write a model's predictions for a CSV or IDX input as CSV")
        {
            model, input, header, divide, outputPath, backend,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            string target = parse.GetValue(outputPath)!;
            bool toStandardOutput = target == OutputTarget.StandardOutput;
            if (!toStandardOutput)
            {
                OutputTarget.CheckWritable(target, "--output");
                OutputTarget.CheckNotInput(target, "--output", parse.GetValue(input)!, "--input");
                OutputTarget.CheckNotInput(target, "--output", parse.GetValue(model)!, "--model");
            }
            // the backend is built once the input is read, but a name it would refuse is refused now
            Backends.Registry.Resolve(parse.GetValue(backend)!, threads: null);
            ModelSource source = ModelSource.Load(parse.GetValue(model)!);
            string path = parse.GetValue(input)!;
            InputScaling scaling = ModelInputs.ForPrediction(source, parse.GetValue(divide));
            int inputs = source.Model.Spec.Inputs;
            float[] features = ReadFeatures(path, inputs, HeaderOption.Parse(parse.GetValue(header)!), error);
            scaling.ApplyInPlace(features, inputs, path);
            using IBackend b = Backends.Create(parse.GetValue(backend)!);
            float[] outputs = Inference.Outputs(b, source.Model, features);
            int k = source.Model.Spec.Outputs;
            string predictions = Format(outputs, k, source);
            if (toStandardOutput)
            {
                output.Write(predictions); // the CSV alone, for a pipe
                return 0;
            }
            return InterruptibleOutput.Write(target, cancel => AtomicFile.WriteAllText(target, predictions, cancel),
                () => output.WriteLine($"wrote {outputs.Length / k} predictions to {target}"), error);
        }));
        return command;
    }

    private static float[] ReadFeatures(string path, int inputs, CsvHeader header, TextWriter notices)
    {
        // One opening for the look at the first bytes and the read: a second would find a pipe's first bytes gone.
        // It allows the larger format's size; the CSV loader lowers that to its own.
        using GuardedStream stream = DataFile.OpenRead(path, Math.Max(IdxReader.MaxFileBytes, CsvOptions.DefaultMaxBytes));
        ReadOnlySpan<byte> head = stream.Peek(4);
        if (head.Length == 4 && head[0] == 0 && head[1] == 0 && head[2] == 8)
        {
            IdxImages images = IdxReader.ReadImages(stream, path);
            if (images.Rows * images.Columns != inputs)
            {
                throw new DataFormatException(path, $"images of {images.Rows}x{images.Columns} = {images.Rows * images.Columns} pixels; the model takes {inputs} inputs");
            }
            float[] pixels = new float[images.Pixels.Length];
            InputScaling.None.Scale(images.Pixels, inputs, pixels);
            return pixels;
        }
        (float[] features, int columns) = CsvLoader.LoadFeatures(stream, path, header,
            columns => notices.WriteLine(NumberedHeader.Warning(path, columns)));
        if (columns != inputs)
        {
            throw new DataFormatException(path, $"rows of {columns} values; the model takes {inputs} inputs (give features only)", line: 1);
        }
        return features;
    }

    private static string Format(float[] outputs, int k, ModelSource source)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        bool softmax = source.SoftmaxOutputs;
        // a regression model: one column per target, under its name where the model records names
        if (!source.Model.Metadata.IsClassifier && (k == 1 || source.Model.Metadata.TargetNames is not null))
        {
            text.AppendJoin(',', source.Model.Metadata.TargetNames?.Select(CsvField) ?? ["output"]).Append('\n');
            for (int r = 0; r < outputs.Length / k; r++)
            {
                text.AppendJoin(',', outputs.AsSpan(r * k, k).ToArray().Select(v => v.ToString("R", c))).Append('\n');
            }
            return text.ToString();
        }
        float[] values = softmax ? Inference.Softmax(outputs, k) : outputs;
        int[] classes = Inference.ArgMax(outputs, k);
        string prefix = softmax ? "p" : "output";
        IReadOnlyList<string> names = source.ClassNames(k);
        text.Append("class,").AppendJoin(',', Enumerable.Range(0, k).Select(j => prefix + j.ToString(c))).Append('\n');
        for (int r = 0; r < classes.Length; r++)
        {
            text.Append(CsvField(names[classes[r]]));
            for (int j = 0; j < k; j++)
            {
                text.Append(',').Append(values[r * k + j].ToString("R", c));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    // RFC 4180: a field holding a comma, quote or line break is quoted, with quotes doubled.
    private static string CsvField(string value) => value.AsSpan().IndexOfAny(",\"\r\n") < 0
        ? value
        : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
