using System.CommandLine;
using System.Globalization;
using FastNet.Cli.Reporting;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary><c>fastnet eval</c>: the loss of a saved model on a dataset's test set, with accuracy, confusion matrix and
/// per-class precision, recall and F1 for a classifier, or RMSE, MAE and R² for a regression model.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "a model file (.json), a checkpoint or an ONNX file (.onnx)", Required = true };
        var data = new Option<string?>("--data")
        {
            Description = OptionTexts.DataForms + " [default: the data the model was trained on]",
        };
        var labels = new Option<string?>("--labels") { Description = "with --data x.npy: the labels or targets (.npy)" };
        var targets = new Option<int?>("--targets") { Description = "the last k CSV columns are real-valued targets (default: as trained)" };
        var scale = new Option<string?>("--scale")
        {
            Description = "only for model files that do not record their preprocessing (as for train; default auto)",
        };
        var testFraction = new Option<double?>("--test-fraction")
        {
            Description = "default: as trained (the same seed gives the same test set)",
            CustomParser = DecimalOption.Nullable,
        };
        var seed = new Option<ulong?>("--seed") { Description = "the seed the split was made with (default: as trained)" };
        var loss = new Option<string?>("--loss") { Description = "loss to report (default: the one the model was trained with)" };
        var header = new Option<string?>("--header") { Description = HeaderOption.Description + " (default: as trained)" };
        var backend = new Option<string>("--backend") { Description = OptionTexts.Backend, DefaultValueFactory = _ => BackendRegistry.Auto };
        var command = new Command("eval", "Evaluate a model on a test set: loss; accuracy, confusion matrix and per-class scores, or RMSE, MAE and R²")
        {
            model, data, labels, header, targets, scale, testFraction, seed, loss, backend,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            // the backend is built once the data is read, but a name it would refuse is refused now
            Backends.Registry.Resolve(parse.GetValue(backend)!, threads: null);
            ModelSource source = ModelSource.Load(parse.GetValue(model)!);
            Action<string> note = message => error.WriteLine($"fastnet: note: {message}");
            DataRequest request = ModelInputs.Request(source, parse.GetValue(data), parse.GetValue(labels), parse.GetValue(targets),
                parse.GetValue(testFraction), parse.GetValue(seed), note,
                parse.GetValue(header) is string given ? HeaderOption.Parse(given) : null);
            DataSplits splits;
            try
            {
                splits = ModelInputs.Load(source, request, parse.GetValue(scale), note, error);
            }
            catch (DataFormatException e) when (parse.GetValue(data) is null && ModelInputs.RecordedFile(source.Model, e.File))
            {
                throw ModelInputs.FromRecord(source.Path, e, "give --data to evaluate on other data");
            }
            ModelInputs.RequireRecordedTrainingSet(source, parse.GetValue(data), request, splits);
            Dataset set = splits.Test ?? splits.Train;
            ModelChecks.MatchData(source.Model, set, source.Path);
            LossKind lossKind = source.LossFor(parse.GetValue(loss), set);

            using IBackend b = Backends.Create(parse.GetValue(backend)!);
            TrainingMemory.ForEvaluation(b, source.Model.Spec, Math.Min(512, set.Count), set).EnsureFits(b);
            using var device = new DeviceDataset(b, set);
            (double lossValue, double accuracy) = Evaluation.OfModel(b, source.Model, lossKind, device);
            var c = CultureInfo.InvariantCulture;
            output.WriteLine($"fastnet eval: {source.Path} ({source.Model.Spec}) on {set.Name}, {set.Count} examples, backend {b.Name}");
            output.WriteLine($"preprocessing {splits.Scaling.Describe()}");
            output.WriteLine(string.Create(c, $"loss ({Names.Of(lossKind)}) {lossValue:G9}")
                + (source.Model.Metadata.Loss is LossKind trained && trained != lossKind
                    ? $" (the model was trained with {Names.Of(trained)})" : ""));
            if (set.IsClassification)
            {
                output.WriteLine(string.Create(c, $"accuracy {accuracy:F4}"));
                int[] predicted = Inference.ArgMax(Inference.Outputs(b, source.Model, set), set.TargetCount);
                var scores = ClassificationMetrics.Of(set.Labels!, predicted, set.ClassCount);
                IReadOnlyList<string> names = source.ClassNames(set.ClassCount);
                output.Write(ConfusionMatrix(scores, set.Count, names));
                output.Write(PerClassScores(scores, names));
            }
            else
            {
                float[] outputs = Inference.Outputs(b, source.Model, set);
                output.WriteLine(RegressionLine.Format(RegressionMetrics.Of(outputs, set.Targets, set.TargetCount)));
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Rows are true classes, columns predicted ones, each headed by its class name.</summary>
    internal static string ConfusionMatrix(ClassificationMetrics metrics, int examples, IReadOnlyList<string> classNames)
    {
        int classes = classNames.Count;
        int width = Math.Max(5, Math.Max(examples.ToString(CultureInfo.InvariantCulture).Length,
            classNames.Max(n => n.Length)) + 1);
        int rowHead = Math.Max(9, classNames.Max(n => n.Length) + 1);
        var text = new System.Text.StringBuilder("confusion matrix (rows: true class, columns: predicted)\n");
        text.Append("true\\pred".PadRight(rowHead));
        foreach (string name in classNames)
        {
            text.Append(name.PadLeft(width));
        }
        text.Append('\n');
        for (int t = 0; t < classes; t++)
        {
            text.Append(classNames[t].PadRight(rowHead));
            for (int p = 0; p < classes; p++)
            {
                text.Append(metrics.Count(t, p).ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Precision, recall and F1 per class, then their macro averages.</summary>
    internal static string PerClassScores(ClassificationMetrics metrics, IReadOnlyList<string> classNames)
    {
        const string Macro = "macro average";
        int rowHead = Math.Max(Macro.Length, classNames.Max(n => n.Length)) + 1;
        var c = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.Append("class".PadRight(rowHead)).Append("precision    recall        f1\n");
        for (int k = 0; k < classNames.Count; k++)
        {
            text.Append(classNames[k].PadRight(rowHead))
                .Append(string.Create(c, $"{metrics.Precision[k],9:F4}{metrics.Recall[k],10:F4}{metrics.F1[k],10:F4}\n"));
        }
        text.Append(Macro.PadRight(rowHead))
            .Append(string.Create(c, $"{metrics.MacroPrecision,9:F4}{metrics.MacroRecall,10:F4}{metrics.MacroF1,10:F4}\n"));
        return text.ToString();
    }
}
