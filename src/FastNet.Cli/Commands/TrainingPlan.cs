using System.CommandLine;
using System.Globalization;
using System.Text;
using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Onnx;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>What <c>fastnet train</c> will do, from the options or from a checkpoint being resumed.</summary>
internal sealed class TrainingPlan
{
    private readonly LossKind? _loss;
    private readonly string _batch;
    private readonly string? _dropout; // --dropout, or null when resuming (the checkpoint's rates stand)

    private TrainingPlan(LossKind? loss, OptimizerSettings optimizer, bool trainBiases, TrainingOptions training, string batch,
        IReadOnlyList<string>? notes = null, string? dropout = null)
    {
        _loss = loss;
        _dropout = dropout;
        Optimizer = optimizer;
        TrainBiases = trainBiases;
        Training = training;
        _batch = batch;
        Notes = notes ?? [];
    }

    /// <summary>Accepted changes to a resumed run, to print.</summary>
    public IReadOnlyList<string> Notes { get; }

    public OptimizerSettings Optimizer { get; }

    public bool TrainBiases { get; }

    /// <summary>The run's options; the batch size is resolved by <see cref="BatchSize"/>.</summary>
    public TrainingOptions Training { get; }

    public static TrainingPlan FromOptions(ParseResult parse, TrainOptions o)
    {
        var optimizer = new OptimizerSettings
        {
            Kind = Names.ParseOptimizer(parse.GetValue(o.Optimizer)!),
            LearningRate = parse.GetValue(o.LearningRate),
            Momentum = parse.GetValue(o.Momentum),
            Beta1 = parse.GetValue(o.Beta1),
            Beta2 = parse.GetValue(o.Beta2),
            Epsilon = parse.GetValue(o.Epsilon),
            WeightDecay = parse.GetValue(o.WeightDecay),
            TrustCoefficient = parse.GetValue(o.TrustCoefficient),
        };
        // an option the rule has no use for is refused, not silently ignored
        optimizer = optimizer.UnusedSetting() is SettingProblem unused ? throw unused.ToException() : optimizer.WithDefaults();
        LossKind? loss = parse.GetValue(o.Loss) is string name ? Names.ParseLoss(name) : null;
        var training = new TrainingOptions(parse.GetValue(o.Epochs), 1, parse.GetValue(o.Shuffle), parse.GetValue(o.Seed))
        {
            Schedule = LearningRateSchedule.Parse(parse.GetValue(o.Schedule)!, parse.GetValue(o.Warmup)),
            Accumulate = parse.GetValue(o.Accumulate),
            LinearScalingBase = TrainingOptions.ParseLearningRateScaling(parse.GetValue(o.LearningRateScaling)!),
        };
        // Parse what the model will need now, so a typo fails before the data is read.
        Names.ParseActivation(parse.GetValue(o.Activation)!);
        FastNet.Training.Initializer.Parse(parse.GetValue(o.Initializer)!);
        string dropout = parse.GetValue(o.Dropout)!;
        DropoutRates.Parse(dropout, dropout.Split(',').Length);
        return new TrainingPlan(loss, optimizer, !parse.GetValue(o.FixedBiases), training, parse.GetValue(o.Batch)!,
            dropout: dropout);
    }

    /// <summary>Continues a checkpoint: its model, loss, optimizer, batches and seed; --epochs, if given, is the new
    /// total. Options that contradict the checkpoint are refused (<see cref="ResumeConflicts"/>).</summary>
    public static TrainingPlan FromCheckpoint(ParseResult parse, TrainOptions o, Checkpoint checkpoint, string path)
    {
        IReadOnlyList<string> notes = ResumeConflicts.Check(parse, o, checkpoint, path);
        TrainingOptions training = checkpoint.Training;
        if (parse.GetResult(o.Epochs) is { Implicit: false })
        {
            training = training with { Epochs = parse.GetValue(o.Epochs) };
            // A run shorter than what the checkpoint has trained would train nothing and look finished.
            TrainingPosition at = checkpoint.Position;
            if (training.Epochs < at.Epoch || (training.Epochs == at.Epoch && at.Batch > 0))
            {
                int least = at.Batch > 0 ? at.Epoch + 1 : at.Epoch;
                string within = at.Batch > 0 ? $" and {at.Batch} batches of epoch {at.Epoch + 1}" : "";
                throw new ArgumentException($"--epochs {training.Epochs}: the checkpoint {path} has trained {at.Epoch} " +
                    $"epochs{within}; give --epochs {least} or more");
            }
        }
        // a --batch given is resolved on the data and must then give the checkpoint's batch
        string batch = parse.GetResult(o.Batch) is { Implicit: false } ? parse.GetValue(o.Batch)!
            : training.BatchSize.ToString(CultureInfo.InvariantCulture);
        return new TrainingPlan(checkpoint.Loss, checkpoint.Optimizer, checkpoint.TrainBiases, training, batch, notes);
    }

    /// <summary>The data to train on: as the options say, or when resuming, the checkpoint's recorded data and split
    /// (<c>--data</c> may point at the same data elsewhere; its content is checked against the checkpoint's).</summary>
    public DataRequest DataRequest(ParseResult parse, TrainOptions o, Checkpoint? resume)
    {
        string? data = parse.GetValue(o.Data);
        if (resume?.Model.Metadata.Data is TrainingDataSource recorded)
        {
            Commands.DataRequest request = Commands.DataRequest.From(recorded);
            string? labels = parse.GetValue(o.Labels);
            // --labels alone replaces the recorded labels file (the data's checksum then says whether it is the same)
            request = data is not null ? request with { Source = data, Labels = labels }
                : labels is not null ? request with { Labels = labels }
                : request;
            return request with
            {
                Classes = resume.Model.Metadata.IsClassifier ? resume.Model.Spec.Outputs : null,
                ClassNames = resume.Model.Metadata.ClassNames,
            };
        }
        return new DataRequest(data ?? Commands.DataRequest.Digits, parse.GetValue(o.Targets), parse.GetValue(o.TestFraction),
            parse.GetValue(o.ValidationFraction), Training.Seed, resume is null ? parse.GetValue(o.Classes) : resume.Model.Spec.Outputs,
            parse.GetValue(o.Labels), Header: HeaderOption.Parse(parse.GetValue(o.Header)!));
    }

    /// <summary>The loss for this data: as given, else cross-entropy for class labels and mean squared error for
    /// real-valued targets.</summary>
    public LossKind LossFor(Dataset train) =>
        _loss ?? (train.IsClassification ? LossKind.SoftmaxCrossEntropy : LossKind.MeanSquaredError);

    /// <summary>The drop rate of each hidden layer of <paramref name="spec"/>: <c>--dropout</c> resolved for its hidden
    /// layers, or the checkpoint's rates when resuming; null when no layer drops.</summary>
    public IReadOnlyList<double>? DropoutFor(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (_dropout is null)
        {
            return Training.Dropout;
        }
        int hidden = spec.Layers.Count - 1;
        IReadOnlyList<double> rates = DropoutRates.Parse(_dropout, Math.Max(hidden, 1));
        if (!rates.Any(p => p > 0))
        {
            return null;
        }
        return hidden > 0 ? rates : throw new FormatException("--dropout: the network has no hidden layer to drop units of");
    }

    /// <summary>Examples per step: a number, or "full" for the whole training set.</summary>
    public int BatchSize(int trainCount)
    {
        string text = _batch.Trim();
        if (text.Equals("full", StringComparison.OrdinalIgnoreCase))
        {
            return trainCount;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int batch) && batch > 0
            ? Math.Min(batch, trainCount)
            : throw new FormatException($"--batch: expected a positive number or 'full', got '{_batch}'");
    }

    /// <summary>The initial model: from --init (a FastNet model file, or an ONNX file by its .onnx extension), or
    /// drawn from the seed for the architecture the options describe. <paramref name="ensureFits"/> sees the
    /// architecture before the parameters are drawn, so it can refuse a network too large for the memory. Under data
    /// parallelism rank 0 reads the --init file and hands the model on, so other hosts need no copy of it.</summary>
    public Model.Model CreateModel(ParseResult parse, TrainOptions o, Dataset train, Action<NetworkSpec> ensureFits,
        ICommunicator ranks)
    {
        ArgumentNullException.ThrowIfNull(ensureFits);
        if (parse.GetValue(o.Init) is string initPath)
        {
            Model.Model initial = RootInput.Read(ranks,
                () => initPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? OnnxImport.Read(initPath) : ModelJson.Read(initPath),
                ModelJson.ToUtf8Json,
                bytes => ModelJson.Parse(Encoding.UTF8.GetString(bytes), initPath));
            ensureFits(initial.Spec);
            return initial;
        }
        LossKind loss = LossFor(train);
        Activation hidden = Names.ParseActivation(parse.GetValue(o.Activation)!);
        Activation output = parse.GetValue(o.OutputActivation) is string name
            ? Names.ParseActivation(name)
            : DefaultOutput(train, loss);
        bool biases = !parse.GetValue(o.NoBiases);
        var layers = ParseLayers(parse.GetValue(o.Layers) ?? "64")
            .Select(units => new LayerSpec(units, hidden, biases))
            .Append(new LayerSpec(train.TargetCount, output, biases));
        var spec = new NetworkSpec(train.FeatureCount, [.. layers]);
        ensureFits(spec);
        return FastNet.Training.Initializer.Parse(parse.GetValue(o.Initializer)!).Create(spec, new SeededRandom(Training.Seed));
    }

    /// <summary>The output activation when none is given: a sigmoid for one-hot targets under half squared error (the
    /// seeds' network), else identity (logits for cross-entropy; real-valued targets of any range).</summary>
    internal static Activation DefaultOutput(Dataset train, LossKind loss) =>
        train.IsClassification && loss == LossKind.HalfSquaredError ? Activation.Sigmoid : Activation.Identity;

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
}
