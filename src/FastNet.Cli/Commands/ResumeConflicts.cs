using System.CommandLine;
using System.Globalization;
using FastNet.Checkpoints;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>
/// What <c>train --resume</c> does with the other options. A checkpoint fixes the model, the loss, the optimizer, the
/// batches, the schedule, the seed and the data split, so an option that names a different value is an error
/// (resuming would silently ignore it); one that repeats the checkpoint's value is accepted. <c>--epochs</c> may
/// change the run's length (reported), and the output, backend and progress options are free.
/// </summary>
internal static class ResumeConflicts
{
    /// <summary>Throws an <see cref="ArgumentException"/> listing every option that contradicts
    /// <paramref name="checkpoint"/>; returns the notes to print for accepted changes.</summary>
    public static IReadOnlyList<string> Check(ParseResult parse, TrainOptions o, Checkpoint checkpoint, string path)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var conflicts = new List<string>();
        var c = CultureInfo.InvariantCulture;
        NetworkSpec spec = checkpoint.Model.Spec;
        OptimizerSettings optimizer = checkpoint.Optimizer.WithDefaults();
        TrainingOptions training = checkpoint.Training;
        TrainingDataSource? data = checkpoint.Model.Metadata.Data;

        void Compare<T>(Option<T> option, Func<T, bool> agrees, string recorded)
        {
            if (parse.GetResult(option) is { Implicit: false } && !agrees(parse.GetValue(option)!))
            {
                string given = parse.GetResult(option)!.Tokens.Count > 0
                    ? string.Join(' ', parse.GetResult(option)!.Tokens.Select(t => t.Value))
                    : "(given)";
                conflicts.Add($"{option.Name} {given} (the checkpoint has {recorded})");
            }
        }

        string hidden = spec.Layers.Count == 1 ? "none" : string.Join(',', spec.Layers.SkipLast(1).Select(l => l.Units));
        Compare(o.Layers, v => v is null || TrainingPlan.ParseLayers(v).SequenceEqual(spec.Layers.SkipLast(1).Select(l => l.Units)),
            $"hidden layers {hidden}");
        Compare(o.Activation, v => spec.Layers.Count == 1 || Names.ParseActivation(v) == spec.Layers[0].Activation,
            $"activation {Names.Of(spec.Layers[0].Activation)}");
        Compare(o.OutputActivation, v => v is null || Names.ParseActivation(v) == spec.Layers[^1].Activation,
            $"output activation {Names.Of(spec.Layers[^1].Activation)}");
        Compare(o.Loss, v => v is null || Names.ParseLoss(v) == checkpoint.Loss, $"loss {Names.Of(checkpoint.Loss)}");
        Compare(o.Optimizer, v => Names.ParseOptimizer(v) == optimizer.Kind, $"optimizer {Names.Of(optimizer.Kind)}");
        Compare(o.LearningRate, v => v == optimizer.LearningRate, string.Create(c, $"lr {optimizer.LearningRate}"));
        Compare(o.Momentum, v => v == optimizer.Momentum, string.Create(c, $"momentum {optimizer.Momentum}"));
        Compare(o.Beta1, v => v == optimizer.Beta1, string.Create(c, $"beta1 {optimizer.Beta1}"));
        Compare(o.Beta2, v => v == optimizer.Beta2, string.Create(c, $"beta2 {optimizer.Beta2}"));
        Compare(o.Epsilon, v => v == optimizer.Epsilon, string.Create(c, $"eps {optimizer.Epsilon}"));
        Compare(o.WeightDecay, v => v == optimizer.WeightDecay, string.Create(c, $"weight decay {optimizer.WeightDecay}"));
        Compare(o.TrustCoefficient, v => v == optimizer.TrustCoefficient,
            string.Create(c, $"trust coefficient {optimizer.TrustCoefficient}"));
        // "full", or a number above the batch a run took when its training set was smaller, may give the same batch:
        // which it gives is known once the data is read (RequireSameBatch)
        Compare(o.Batch, v => v.Trim().Equals("full", StringComparison.OrdinalIgnoreCase)
            || (int.TryParse(v, NumberStyles.None, c, out int b) && b >= training.BatchSize), $"batch {training.BatchSize}");
        Compare(o.Accumulate, v => v == training.Accumulate, $"accumulate {training.Accumulate}");
        IReadOnlyList<double> dropout = training.Dropout ?? [.. Enumerable.Repeat(0.0, spec.Layers.Count - 1)];
        Compare(o.Dropout, v => DropoutRates.Parse(v, Math.Max(dropout.Count, 1)).Take(dropout.Count).SequenceEqual(dropout),
            $"dropout {training.DropoutText}");
        Compare(o.LearningRateScaling, v => TrainingOptions.ParseLearningRateScaling(v) == training.LinearScalingBase,
            $"lr scaling {training.LearningRateScaling}");
        Compare(o.Seed, v => v == training.Seed, $"seed {training.Seed}");
        Compare(o.Shuffle, v => v == training.Shuffle, $"shuffle {training.Shuffle.ToString().ToLowerInvariant()}");
        Compare(o.Schedule, v => LearningRateSchedule.Parse(v, training.Schedule.WarmupSteps) == training.Schedule,
            $"schedule {training.Schedule}");
        Compare(o.Warmup, v => v == training.Schedule.WarmupSteps, $"warm-up {training.Schedule.WarmupSteps} steps");
        Compare(o.NoBiases, v => v == spec.Layers.All(l => !l.HasBias), "biases as saved");
        Compare(o.FixedBiases, v => v == !checkpoint.TrainBiases, $"fixed biases {(!checkpoint.TrainBiases).ToString().ToLowerInvariant()}");
        if (checkpoint.EarlyStopping is EarlyStoppingState stopping)
        {
            Compare(o.EarlyStopping, v => v == stopping.Patience,
                stopping.Patience == 0 ? "no early stopping" : $"early stopping after {stopping.Patience} epochs");
        }
        Compare(o.Init, _ => false, "its own parameters");
        Compare(o.Initializer, _ => false, "its own parameters");
        Compare(o.Classes, v => v is null || v == spec.Outputs, $"{spec.Outputs} outputs");
        if (data is not null)
        {
            Compare(o.Targets, v => v == data.TargetColumns, $"{data.TargetColumns} target columns");
            // a run that took the default took the default's share: the same share given now agrees with it
            double testFraction = data.TestFraction ?? DataSplits.DefaultTestFraction(data.Source);
            Compare(o.TestFraction, v => v == testFraction, string.Create(c, $"test fraction {testFraction}"));
            Compare(o.ValidationFraction, v => v == data.ValidationFraction,
                string.Create(c, $"validation fraction {data.ValidationFraction}"));
            Compare(o.Header, v => HeaderOption.Parse(v) == data.Header, $"header {Data.CsvHeaderNames.Of(data.Header)}");
        }
        if (conflicts.Count > 0)
        {
            throw Contradiction(path, conflicts);
        }
        return parse.GetResult(o.Epochs) is { Implicit: false } && parse.GetValue(o.Epochs) != training.Epochs
            ? [$"--epochs {parse.GetValue(o.Epochs)} overrides the checkpoint's {training.Epochs} epochs"]
            : [];
    }

    /// <summary>Throws unless the <c>--batch</c> given, resolved on <paramref name="trainCount"/> training examples
    /// as <paramref name="batch"/>, is the checkpoint's batch.</summary>
    public static void RequireSameBatch(ParseResult parse, TrainOptions o, Checkpoint checkpoint, string path, int batch,
        int trainCount)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (batch != checkpoint.Training.BatchSize)
        {
            string given = parse.GetValue(o.Batch)!.Trim();
            string resolved = given == batch.ToString(CultureInfo.InvariantCulture) ? ""
                : $"gives batch {batch} of {trainCount} training examples; ";
            throw Contradiction(path, [$"--batch {given} ({resolved}the checkpoint has batch {checkpoint.Training.BatchSize})"]);
        }
    }

    private static ArgumentException Contradiction(string path, IEnumerable<string> conflicts) =>
        new($"--resume {path}: these options contradict the checkpoint, which fixes them: " + string.Join("; ", conflicts)
            + ". Leave them out to continue the run, or start a new run without --resume");
}
