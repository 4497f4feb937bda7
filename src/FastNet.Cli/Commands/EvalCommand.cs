using System.CommandLine;
using System.Globalization;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary><c>fastnet eval</c>: loss, accuracy and confusion matrix of a saved model on a dataset's test set.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "a model file (.json) or a checkpoint", Required = true };
        var data = new Option<string?>("--data") { Description = "mnist, fashion-mnist or a CSV file (default: the embedded digits)" };
        var targets = new Option<int>("--targets") { Description = "the last k CSV columns are real-valued targets" };
        var scale = new Option<string>("--scale") { Description = "as for train", DefaultValueFactory = _ => "auto" };
        var testFraction = new Option<double?>("--test-fraction") { Description = "as for train (the same seed gives the same test set)" };
        var seed = new Option<ulong>("--seed") { Description = "the seed the split was made with", DefaultValueFactory = _ => 1 };
        var loss = new Option<string?>("--loss") { Description = "loss to report (default: the checkpoint's, or by the output layer)" };
        var backend = new Option<string>("--backend") { Description = "backend", DefaultValueFactory = _ => BackendRegistry.Auto };
        var command = new Command("eval", "Evaluate a model: loss, accuracy and confusion matrix")
        {
            model, data, targets, scale, testFraction, seed, loss, backend,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            ModelSource source = ModelSource.Load(parse.GetValue(model)!);
            DataSplits splits = DataSplits.Load(parse.GetValue(data), parse.GetValue(targets), parse.GetValue(testFraction),
                0, parse.GetValue(scale)!, parse.GetValue(seed));
            Dataset set = splits.Test ?? splits.Train;
            ModelChecks.MatchData(source.Model, set, source.Path);
            LossKind lossKind = source.LossFor(parse.GetValue(loss), set);

            using IBackend b = BackendRegistry.Create(parse.GetValue(backend)!);
            TrainingMemory.ForEvaluation(b, source.Model.Spec, Math.Min(512, set.Count), set).EnsureFits(b);
            using var network = new TrainingNetwork(b, source.Model, lossKind, new OptimizerSettings(), Math.Min(512, set.Count));
            using var device = new DeviceDataset(b, set);
            (double lossValue, double accuracy) = Evaluation.Run(network, device);
            var c = CultureInfo.InvariantCulture;
            output.WriteLine($"fastnet eval: {source.Path} ({source.Model.Spec}) on {set.Name}, {set.Count} examples, backend {b.Name}");
            output.WriteLine(string.Create(c, $"loss ({Names.Of(lossKind)}) {lossValue:G7}"));
            if (set.IsClassification)
            {
                output.WriteLine(string.Create(c, $"accuracy {accuracy:F4}"));
                int[] predicted = Inference.ArgMax(Inference.Outputs(b, source.Model, set.Features), set.TargetCount);
                output.Write(ConfusionMatrix(set.Labels!, predicted, set.ClassCount));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Rows are true classes, columns predicted ones.</summary>
    internal static string ConfusionMatrix(int[] truth, int[] predicted, int classes)
    {
        long[,] counts = new long[classes, classes];
        for (int i = 0; i < truth.Length; i++)
        {
            counts[truth[i], predicted[i]]++;
        }
        int width = Math.Max(5, truth.Length.ToString(CultureInfo.InvariantCulture).Length + 1);
        var text = new System.Text.StringBuilder("confusion matrix (rows: true class, columns: predicted)\n");
        text.Append("true\\pred".PadRight(9));
        for (int k = 0; k < classes; k++)
        {
            text.Append(k.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        }
        text.Append('\n');
        for (int t = 0; t < classes; t++)
        {
            text.Append(t.ToString(CultureInfo.InvariantCulture).PadRight(9));
            for (int p = 0; p < classes; p++)
            {
                text.Append(counts[t, p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
