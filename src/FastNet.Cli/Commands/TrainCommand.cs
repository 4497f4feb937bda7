using System.CommandLine;
using System.Globalization;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary><c>fastnet train</c>: loads data, builds or loads a model, trains it and reports every epoch.</summary>
internal static class TrainCommand
{
    private const double DigitsScale = 16;
    private const double DigitsTestFraction = 0.2;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var options = new TrainOptions();
        var command = new Command("train", "Train a network (with no options: the embedded 8x8 digits, 64-64-10)");
        foreach (Option option in options.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => CliErrors.Guard(error, () => Run(parse, options, output)));
        return command;
    }

    private static int Run(ParseResult parse, TrainOptions o, TextWriter output)
    {
        // Everything that can be checked is checked before any work, so a bad option never costs a training run.
        string? savePath = parse.GetValue(o.Save);
        CliErrors.CheckWritable(savePath, "--save");
        string backendName = parse.GetValue(o.Backend)!;
        var optimizer = new OptimizerSettings
        {
            Kind = Names.ParseOptimizer(parse.GetValue(o.Optimizer)!),
            LearningRate = parse.GetValue(o.LearningRate),
            Momentum = parse.GetValue(o.Momentum),
            Beta1 = parse.GetValue(o.Beta1),
            Beta2 = parse.GetValue(o.Beta2),
            Epsilon = parse.GetValue(o.Epsilon),
            WeightDecay = parse.GetValue(o.WeightDecay),
        }.WithDefaults();
        Activation hidden = Names.ParseActivation(parse.GetValue(o.Activation)!);
        Initializer initializer = Training.Initializer.Parse(parse.GetValue(o.Initializer)!);
        ulong seed = parse.GetValue(o.Seed);

        (Dataset train, Dataset? test) = LoadData(parse, o, seed);
        LossKind loss = parse.GetValue(o.Loss) is string lossName
            ? Names.ParseLoss(lossName)
            : train.IsClassification ? LossKind.SoftmaxCrossEntropy : LossKind.HalfSquaredError;

        string? initPath = parse.GetValue(o.Init);
        Model.Model model = initPath is not null
            ? LoadInitialModel(initPath, train)
            : initializer.Create(BuildSpec(parse, o, train, hidden, loss), new SeededRandom(seed));

        int batch = ParseBatch(parse.GetValue(o.Batch)!, train.Count);
        var training = new TrainingOptions(parse.GetValue(o.Epochs), batch, parse.GetValue(o.Shuffle), seed);
        training.Validate();

        using IBackend backend = BackendRegistry.Create(backendName);
        using var network = new TrainingNetwork(backend, model, loss, optimizer, batch,
            trainBiases: !parse.GetValue(o.FixedBiases));
        using var trainer = new Trainer(network, train, test, training);

        output.WriteLine($"fastnet train: {train.Name}, {train.Count} training and {test?.Count ?? 0} test examples");
        output.WriteLine($"network {model.Spec} ({Describe(model.Spec)}), loss {Names.Of(loss)}, "
            + $"optimizer {Describe(optimizer)}, batch {batch}, backend {backend.Name}, seed {seed}");
        EpochReport? last = null;
        trainer.Run(report =>
        {
            output.WriteLine(FormatEpoch(report, training.Epochs));
            last = report;
        });

        Model.Model trained = network.ToModel();
        if (savePath is not null)
        {
            ModelJson.Write(trained, savePath);
            output.WriteLine($"saved {savePath}");
        }
        if (last is not null)
        {
            output.WriteLine(FinalLine(last, test is not null));
        }
        return 0;
    }

    private static (Dataset Train, Dataset? Test) LoadData(ParseResult parse, TrainOptions o, ulong seed)
    {
        string? path = parse.GetValue(o.Data);
        Dataset all = path is null
            ? Scaling.Divide(EmbeddedDatasets.Digits(), (float)DigitsScale)
            : CsvLoader.Load(path, new CsvOptions { TargetColumns = parse.GetValue(o.Targets) });
        double testFraction = parse.GetValue(o.TestFraction) ?? (path is null ? DigitsTestFraction : 0);
        if (testFraction is < 0 or >= 1)
        {
            throw new ArgumentException($"--test-fraction: expected a value in [0, 1), got {testFraction}");
        }
        if (testFraction == 0)
        {
            return (all, null);
        }
        TrainTestSplit split = DataSplitter.Split(all, testFraction, seed);
        return (split.Train, split.Test);
    }

    private static NetworkSpec BuildSpec(ParseResult parse, TrainOptions o, Dataset train, Activation hidden,
        LossKind loss)
    {
        Activation output = parse.GetValue(o.OutputActivation) is string name
            ? Names.ParseActivation(name)
            : loss == LossKind.HalfSquaredError ? Activation.Sigmoid : Activation.Identity;
        bool biases = !parse.GetValue(o.NoBiases);
        var layers = ParseLayers(parse.GetValue(o.Layers) ?? "64")
            .Select(units => new LayerSpec(units, hidden, biases))
            .Append(new LayerSpec(train.TargetCount, output, biases));
        return new NetworkSpec(train.FeatureCount, [.. layers]);
    }

    private static Model.Model LoadInitialModel(string path, Dataset train)
    {
        Model.Model model = ModelJson.Read(path);
        if (model.Spec.Inputs != train.FeatureCount)
        {
            throw new ModelFormatException(
                $"{path}, field inputs: the model takes {model.Spec.Inputs} inputs, {train.Name} has {train.FeatureCount} features per row");
        }
        if (model.Spec.Outputs != train.TargetCount)
        {
            throw new ModelFormatException(
                $"{path}, field layers[{model.Spec.Layers.Count - 1}].units: the model has {model.Spec.Outputs} outputs, "
                + $"{train.Name} has {train.TargetCount} targets per row");
        }
        return model;
    }

    /// <summary>"128,64" → [128, 64]; "none" or "" → no hidden layer.</summary>
    internal static int[] ParseLayers(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }
        return [.. trimmed.Split(',', '-', 'x').Select(part =>
            int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int units) && units > 0
                ? units
                : throw new FormatException($"--layers: '{part.Trim()}' is not a positive layer size in '{text}'"))];
    }

    private static int ParseBatch(string text, int trainCount)
    {
        if (text.Trim().Equals("full", StringComparison.OrdinalIgnoreCase))
        {
            return trainCount;
        }
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int batch) && batch > 0
            ? Math.Min(batch, trainCount)
            : throw new FormatException($"--batch: expected a positive number or 'full', got '{text}'");
    }

    private static string Describe(NetworkSpec spec) =>
        string.Join(", ", spec.Layers.Select(l => Names.Of(l.Activation) + (l.HasBias ? "" : " (no bias)")));

    private static string Describe(OptimizerSettings s)
    {
        string text = $"{Names.Of(s.Kind)} lr {s.LearningRate:G4}";
        text += s.Kind switch
        {
            OptimizerKind.Momentum or OptimizerKind.Nesterov => $" momentum {s.Momentum:G4}",
            OptimizerKind.Adam or OptimizerKind.Nadam => $" betas ({s.Beta1:G4}, {s.Beta2:G4}) eps {s.Epsilon:G3}",
            OptimizerKind.RmsProp => $" alpha {s.Beta2:G4} eps {s.Epsilon:G3}",
            OptimizerKind.Adagrad => $" eps {s.Epsilon:G3}",
            _ => "",
        };
        return s.WeightDecay > 0 ? $"{text} weight decay {s.WeightDecay:G3}" : text;
    }

    private static string FormatEpoch(EpochReport r, int epochs)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(epochs.ToString(CultureInfo.InvariantCulture).Length)}/{epochs}  loss {r.TrainLoss:G7}");
        if (!double.IsNaN(r.TrainAccuracy))
        {
            line += string.Create(CultureInfo.InvariantCulture, $"  accuracy {r.TrainAccuracy:F4}");
        }
        if (!double.IsNaN(r.TestLoss))
        {
            line += string.Create(CultureInfo.InvariantCulture, $"  test loss {r.TestLoss:G7}");
        }
        if (!double.IsNaN(r.TestAccuracy))
        {
            line += string.Create(CultureInfo.InvariantCulture, $"  test accuracy {r.TestAccuracy:F4}");
        }
        return line + string.Create(CultureInfo.InvariantCulture, $"  {r.SamplesPerSecond:N0} samples/s");
    }

    private static string FinalLine(EpochReport r, bool hasTest) => hasTest
        ? double.IsNaN(r.TestAccuracy)
            ? string.Create(CultureInfo.InvariantCulture, $"test loss {r.TestLoss:G7}")
            : string.Create(CultureInfo.InvariantCulture, $"test accuracy {r.TestAccuracy:F4}")
        : string.Create(CultureInfo.InvariantCulture, $"final training loss {r.TrainLoss:G7}");
}
