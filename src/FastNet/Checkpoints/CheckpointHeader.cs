using System.Globalization;
using System.Text.Json;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Checkpoints;

/// <summary>
/// Reads the checkpoint's JSON header (its layout is on <see cref="CheckpointFile"/>). Every value goes through
/// <see cref="JsonFieldReader"/>, so a missing, ill-typed or out-of-range one is named by its path in the header
/// (<c>training.seed</c>) with what was expected, and a member given twice or one that no checkpoint of this format
/// version has is refused by name. A valid checksum only says the file is as written: values no run can have are
/// refused here, named as the file names them, not by the command-line option that sets them in a new run.
/// </summary>
internal static class CheckpointHeader
{
    // The settings checked by the same rules as the command line's: where the header holds each.
    private static readonly Dictionary<string, string> FieldOfOption = new(StringComparer.Ordinal)
    {
        ["--lr"] = "optimizer.lr",
        ["--momentum"] = "optimizer.momentum",
        ["--beta1"] = "optimizer.beta1",
        ["--beta2"] = "optimizer.beta2",
        ["--eps"] = "optimizer.eps",
        ["--weight-decay"] = "optimizer.weightDecay",
        ["--trust-coefficient"] = "optimizer.trustCoefficient",
        ["--epochs"] = "training.epochs",
        ["--batch"] = "training.batch",
        ["--accumulate"] = "training.accumulate",
        ["--dropout"] = "training.dropout",
        ["--lr-scaling"] = "training.lrScaling",
    };

    // Every member a checkpoint of this format version has been written with, in the order written; those added later
    // are optional where they are read. Another is a misspelling or a newer FastNet's, and its value would be dropped.
    private static readonly string[] RootMembers = ["inputs", "layers", "loss", .. ModelMetadataJson.Members,
        "trainingDataSha256", "optimizer", "trainBiases", "training", "position", "earlyStopping", "divergence", "mathMode",
        "backend"];
    private static readonly string[] LayerMembers = ["units", "activation", "bias"];
    private static readonly string[] OptimizerMembers = ["kind", "lr", "momentum", "beta1", "beta2", "eps", "weightDecay",
        "trustCoefficient", "steps", "nadamMuProduct"];
    private static readonly string[] TrainingMembers = ["epochs", "batch", "shuffle", "seed", "schedule", "warmup",
        "accumulate", "lrScaling", "dropout"];
    private static readonly string[] PositionMembers = ["epoch", "batch", "shuffleState", "lossSum", "correct"];
    private static readonly string[] EarlyStoppingMembers = ["patience", "bestEpoch", "bestLoss"];
    private static readonly string[] DivergenceMembers = ["referenceLoss", "checksAbove"];

    /// <summary>The checkpoint the header describes, with the parameters, optimizer state and (where early stopping
    /// has a best epoch) that epoch's parameters read after it.</summary>
    /// <exception cref="CheckpointFormatException">The header is not JSON, or a field is missing, ill-typed, out of
    /// range or inconsistent with the stored arrays; the message names the file and the field.</exception>
    public static Checkpoint Read(ReadOnlySpan<byte> header, float[] parameters, float[] state, float[]? best, string source)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(header.ToArray());
            var reader = new JsonFieldReader(source) { VersionRead = $"checkpoint format version {CheckpointFile.Version}" };
            return Read(document.RootElement, reader, parameters, state, best, source);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(
                $"{source}: the header is not valid JSON ({JsonSyntaxError.Describe(e)})", e);
        }
        catch (ModelFormatException e)
        {
            throw new CheckpointFormatException(e.Message, e); // names the file and the field already
        }
    }

    private static Checkpoint Read(JsonElement root, JsonFieldReader reader, float[] parameters, float[] state, float[]? best,
        string source)
    {
        reader.Expect(root, JsonValueKind.Object, "the header");
        reader.RequireDistinctMembers(root);
        reader.RequireKnownMembers(root, null, RootMembers);
        NetworkSpec spec = Spec(root, reader);
        if (parameters.Length != spec.ParameterCount)
        {
            throw new CheckpointFormatException(
                $"{source}: {parameters.Length} parameters stored, the network {spec} has {spec.ParameterCount}");
        }
        string mathMode = reader.String(root, "mathMode");
        if (mathMode != Checkpoint.ExactMathMode)
        {
            throw reader.Error("mathMode", $"expected \"{Checkpoint.ExactMathMode}\", found {QuotedText.Of(mathMode)}");
        }
        LossKind loss = reader.Parsed(root, "loss", Names.ParseLoss);
        if (spec.LossMismatch(loss) is string mismatch)
        {
            throw reader.Error($"layers[{spec.Layers.Count - 1}].activation", mismatch);
        }

        JsonElement o = Object(root, "optimizer", OptimizerMembers, reader);
        OptimizerSettings optimizer = Optimizer(o, reader);
        bool trainBiases = reader.Bool(root, "trainBiases");
        int trainable = trainBiases ? spec.ParameterCount : spec.WeightCount;
        int slots = OptimizerStep.StateSlots(optimizer.Kind);
        if (state.Length != slots * trainable)
        {
            throw new CheckpointFormatException(
                $"{source}: {state.Length} optimizer state values stored, {Names.Of(optimizer.Kind)} needs {slots * trainable}");
        }

        TrainingOptions training = Training(Object(root, "training", TrainingMembers, reader), reader, spec);
        TrainingPosition position = Position(Object(root, "position", PositionMembers, reader), reader, training);
        string? sha256 = JsonFieldReader.Has(root, "trainingDataSha256") ? reader.String(root, "trainingDataSha256") : null;
        if (sha256 is not null && !Data.DatasetChecksum.IsSha256Text(sha256))
        {
            throw reader.Error("trainingDataSha256", $"expected 64 lowercase hexadecimal digits, found {QuotedText.Of(sha256)}");
        }
        ModelMetadata recorded = ModelMetadataJson.Read(root, reader, spec.Inputs, spec.Outputs, spec.Layers.Count - 1);
        // the model's record of its dropout is the run's: two different ones are an edit, and which holds is unknown
        if (recorded.Dropout is { } modelDropout && training.Dropout is { } runDropout && !modelDropout.SequenceEqual(runDropout))
        {
            throw reader.Error("dropout", $"[{string.Join(", ", modelDropout.Select(r => r.ToString(CultureInfo.InvariantCulture)))}], "
                + $"but training.dropout is [{string.Join(", ", runDropout.Select(r => r.ToString(CultureInfo.InvariantCulture)))}]; "
                + "a run records one");
        }
        // absent in files written before early stopping and the divergence guard's reference were recorded
        EarlyStoppingState? stopping = root.TryGetProperty("earlyStopping", out JsonElement s)
            ? EarlyStopping(s, reader, position, best, spec, source) : null;
        if (stopping is null && best is not null)
        {
            throw new CheckpointFormatException($"{source}: {best.Length} values stored after the optimizer state, but the "
                + "header records no early stopping best epoch they would belong to");
        }
        JsonElement? divergence = JsonFieldReader.Has(root, "divergence")
            ? Object(root, "divergence", DivergenceMembers, reader) : null;
        return new Checkpoint
        {
            Model = new Model.Model(spec, parameters) { Metadata = recorded with { Loss = loss } },
            Loss = loss,
            TrainingDataSha256 = sha256,
            Optimizer = optimizer,
            OptimizerSteps = reader.NonNegativeLong(o, "steps", "optimizer"),
            NadamMuProduct = MomentumProduct(reader, o),
            OptimizerState = state,
            TrainBiases = trainBiases,
            Training = training,
            Position = position,
            EarlyStopping = stopping,
            DivergenceReference = divergence is JsonElement d ? NonNegativeFinite(reader, d, "referenceLoss", "divergence") : null,
            DivergenceChecksAbove = divergence is JsonElement c ? ChecksAbove(reader, c) : 0,
            MathMode = mathMode,
            Backend = reader.String(root, "backend"),
        };
    }

    private static NetworkSpec Spec(JsonElement root, JsonFieldReader reader)
    {
        int inputs = reader.PositiveInt(root, "inputs");
        JsonElement array = reader.Member(root, "layers", JsonValueKind.Array);
        if (array.GetArrayLength() == 0)
        {
            throw reader.Error("layers", "expected at least one layer");
        }
        var layers = new List<LayerSpec>();
        foreach (JsonElement layer in array.EnumerateArray())
        {
            string at = $"layers[{layers.Count}]";
            reader.Expect(layer, JsonValueKind.Object, at);
            reader.RequireKnownMembers(layer, at, LayerMembers);
            layers.Add(new LayerSpec(reader.PositiveInt(layer, "units", at),
                reader.Parsed(layer, "activation", Names.ParseActivation, at), reader.Bool(layer, "bias", at)));
        }
        try
        {
            return new NetworkSpec(inputs, layers);
        }
        catch (NetworkTooLargeException e)
        {
            throw reader.Error(e.Layer is int l ? $"layers[{l}].units" : "inputs", e.Message);
        }
    }

    private static JsonElement Object(JsonElement root, string name, string[] known, JsonFieldReader reader)
    {
        JsonElement member = reader.Member(root, name, JsonValueKind.Object);
        reader.RequireKnownMembers(member, name, known);
        return member;
    }

    private static OptimizerSettings Optimizer(JsonElement o, JsonFieldReader reader)
    {
        var settings = new OptimizerSettings
        {
            Kind = reader.Parsed(o, "kind", Names.ParseOptimizer, "optimizer"),
            LearningRate = reader.Double(o, "lr", "optimizer"),
            Momentum = reader.Double(o, "momentum", "optimizer"),
            Beta1 = reader.Double(o, "beta1", "optimizer"),
            Beta2 = reader.Double(o, "beta2", "optimizer"),
            Epsilon = reader.Double(o, "eps", "optimizer"),
            WeightDecay = reader.Double(o, "weightDecay", "optimizer"),
            // absent in files written before LARS
            TrustCoefficient = JsonFieldReader.Has(o, "trustCoefficient") ? reader.Double(o, "trustCoefficient", "optimizer") : null,
        };
        return settings.Problem() is SettingProblem problem ? throw Refused(reader, problem) : settings.WithDefaults();
    }

    private static TrainingOptions Training(JsonElement t, JsonFieldReader reader, NetworkSpec spec)
    {
        int warmup = reader.NonNegativeInt(t, "warmup", "training");
        var training = new TrainingOptions(reader.Int(t, "epochs", "training"), reader.Int(t, "batch", "training"),
            reader.Bool(t, "shuffle", "training"), reader.UInt64(t, "seed", "training"))
        {
            Schedule = reader.Parsed(t, "schedule", text => LearningRateSchedule.TryParse(text, warmup)
                ?? throw new FormatException($"expected {LearningRateSchedule.Forms}, found {QuotedText.Of(text)}"), "training"),
            // absent in files written before gradient accumulation and learning-rate scaling
            Accumulate = JsonFieldReader.Has(t, "accumulate") ? reader.Int(t, "accumulate", "training") : 1,
            LinearScalingBase = JsonFieldReader.Has(t, "lrScaling")
                ? reader.Parsed(t, "lrScaling", text => TrainingOptions.TryParseLearningRateScaling(text, out int? linearBase)
                    ? linearBase
                    : throw new FormatException(
                        $"expected {TrainingOptions.LearningRateScalingForms}, found {QuotedText.Of(text)}"), "training")
                : null,
            // absent in files written before dropout
            Dropout = t.TryGetProperty("dropout", out JsonElement dropout)
                ? DropoutJson.Read(reader, dropout, "training.dropout", spec.Layers.Count - 1)
                : null,
        };
        return training.Problem() is SettingProblem problem ? throw Refused(reader, problem) : training;
    }

    // A run's checkpoint is taken between batches of an unfinished epoch, or after an epoch: a finished run's is at
    // epoch training.epochs, batch 0. Whether the batch lies within an epoch depends on the data, checked on resuming.
    private static TrainingPosition Position(JsonElement p, JsonFieldReader reader, TrainingOptions training)
    {
        int epoch = reader.NonNegativeInt(p, "epoch", "position");
        int batch = reader.NonNegativeInt(p, "batch", "position");
        if (epoch > training.Epochs)
        {
            throw reader.Error("position.epoch",
                $"{epoch} epochs completed, more than the run's {training.Epochs} (training.epochs)");
        }
        if (epoch == training.Epochs && batch > 0)
        {
            throw reader.Error("position.batch", $"batch {batch} after the run's last epoch ({training.Epochs}, " +
                "training.epochs); a finished run stands at batch 0");
        }
        JsonElement stateArray = reader.Member(p, "shuffleState", JsonValueKind.Array, "position");
        if (stateArray.GetArrayLength() != 4)
        {
            throw reader.Error("position.shuffleState", $"expected 4 numbers, found {stateArray.GetArrayLength()}");
        }
        ulong[] s = [.. stateArray.EnumerateArray().Select((e, i) => reader.UInt64(e, $"position.shuffleState[{i}]"))];
        double correct = reader.Double(p, "correct", "position");
        if (correct < 0 || correct != Math.Floor(correct))
        {
            throw reader.Error("position.correct", string.Create(CultureInfo.InvariantCulture,
                $"expected a count of examples, a whole number of 0 or more, found {correct}"));
        }
        double lossSum = reader.Double(p, "lossSum", "position");
        if (lossSum < 0)
        {
            throw reader.Error("position.lossSum", string.Create(CultureInfo.InvariantCulture,
                $"expected a sum of losses, 0 or more, found {lossSum}"));
        }
        return new TrainingPosition(epoch, batch, (s[0], s[1], s[2], s[3]), lossSum, correct);
    }

    // the patience, and the best epoch so far: one already completed (0 before the first), with a finite loss and the
    // parameters stored after the optimizer state
    private static EarlyStoppingState EarlyStopping(JsonElement element, JsonFieldReader reader, TrainingPosition position,
        float[]? best, NetworkSpec spec, string source)
    {
        reader.Expect(element, JsonValueKind.Object, "earlyStopping");
        reader.RequireKnownMembers(element, "earlyStopping", EarlyStoppingMembers);
        int patience = reader.NonNegativeInt(element, "patience", "earlyStopping");
        int bestEpoch = reader.NonNegativeInt(element, "bestEpoch", "earlyStopping");
        if (bestEpoch > position.Epoch)
        {
            throw reader.Error("earlyStopping.bestEpoch",
                $"epoch {bestEpoch}, after the {position.Epoch} completed (position.epoch)");
        }
        if (bestEpoch == 0)
        {
            if (JsonFieldReader.Has(element, "bestLoss") || best is not null)
            {
                throw reader.Error("earlyStopping.bestEpoch", "0 (none yet), but a best loss or best parameters are stored");
            }
            return EarlyStoppingState.Start(patience);
        }
        double loss = NonNegativeFinite(reader, element, "bestLoss", "earlyStopping");
        if (best is null || best.Length != spec.ParameterCount)
        {
            throw new CheckpointFormatException($"{source}: early stopping's best epoch {bestEpoch} needs its "
                + $"{spec.ParameterCount} parameters stored after the optimizer state; {best?.Length ?? 0} are");
        }
        return new EarlyStoppingState(patience, bestEpoch, loss, best);
    }

    // Nadam's Πₜ: a product of momentum factors, each in (0, 1), so in (0, 1] (1 before the first step)
    private static double MomentumProduct(JsonFieldReader reader, JsonElement o)
    {
        double product = reader.Double(o, "nadamMuProduct", "optimizer");
        return product is > 0 and <= 1 ? product
            : throw reader.Error("optimizer.nadamMuProduct",
                string.Create(CultureInfo.InvariantCulture, $"expected a product of momentum factors in (0, 1], found {product}"));
    }

    private static double NonNegativeFinite(JsonFieldReader reader, JsonElement element, string name, string at)
    {
        double value = reader.Double(element, name, at);
        return double.IsFinite(value) && value >= 0 ? value
            : throw reader.Error($"{at}.{name}",
                string.Create(CultureInfo.InvariantCulture, $"expected a finite loss of at least 0, found {value}"));
    }

    private static int ChecksAbove(JsonFieldReader reader, JsonElement element)
    {
        int checks = reader.NonNegativeInt(element, "checksAbove", "divergence");
        return checks < DivergenceGuard.Patience ? checks
            : throw reader.Error("divergence.checksAbove", $"expected 0 to {DivergenceGuard.Patience - 1}, found {checks}");
    }

    private static ModelFormatException Refused(JsonFieldReader reader, SettingProblem problem) =>
        reader.Error(FieldOfOption[problem.Option], problem.Problem);
}
