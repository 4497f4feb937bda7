using FastNet.Checkpoints;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests.Checkpoints;

/// <summary>
/// Every header field of a checkpoint, missing, of the wrong type or out of range, in a file whose length and checksum
/// are right: the error names the file and the field by its path in the header, says what was expected, and never
/// blames a command-line option for the file's value. The seed checkpoint is a finished run of one epoch of a 3-4-2
/// network (one hidden layer) trained with Adam.
/// </summary>
public sealed class CheckpointFieldTests
{
    private static readonly Lazy<byte[]> Seed = new(() => CheckpointFile.Serialize(SeedFiles.TrainedCheckpoint()));

    // Fields every checkpoint has; the optional ones (written only by later versions, or when set) are not here.
    public static TheoryData<string> RequiredFields() =>
    [
        "inputs", "layers", "layers[0].units", "layers[0].activation", "layers[0].bias", "loss", "mathMode", "backend",
        "trainBiases", "optimizer", "optimizer.kind", "optimizer.lr", "optimizer.momentum", "optimizer.beta1",
        "optimizer.beta2", "optimizer.eps", "optimizer.weightDecay", "optimizer.steps", "optimizer.nadamMuProduct",
        "training", "training.epochs", "training.batch", "training.shuffle", "training.seed", "training.schedule",
        "training.warmup", "position", "position.epoch", "position.batch", "position.shuffleState", "position.lossSum",
        "position.correct",
    ];

    [Theory]
    [MemberData(nameof(RequiredFields))]
    public void AMissingFieldIsNamed(string field)
    {
        CheckpointFormatException e = Refused(field, json: null);
        Assert.Equal($"field.ckpt, field {field}: missing", e.Message);
    }

    [Theory]
    [MemberData(nameof(RequiredFields))]
    public void AFieldOfTheWrongTypeIsNamed(string field)
    {
        // A string where anything else belongs, and a number where a string belongs.
        bool isString = field is "layers[0].activation" or "loss" or "mathMode" or "backend" or "optimizer.kind"
            or "training.schedule";
        CheckpointFormatException e = Refused(field, isString ? "7" : "\"x\"");
        Assert.StartsWith($"field.ckpt, field {field}: expected ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(isString ? "found a number" : "found a string", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inputs", "0", "expected a positive integer, found 0")]
    [InlineData("inputs", "3.5", "expected an integer, found 3.5")]
    [InlineData("layers", "[]", "expected at least one layer")]
    [InlineData("layers[0].units", "-4", "expected a positive integer, found -4")]
    [InlineData("layers[0].units", "1e10", "expected an integer, found 1e10")]
    [InlineData("layers[0].activation", "\"sigmoidal\"", "unknown activation \"sigmoidal\"")]
    [InlineData("layers[1].activation", "\"relu\"", "cross-entropy")]
    [InlineData("loss", "\"hinge\"", "unknown loss \"hinge\"")]
    [InlineData("mathMode", "\"fast\"", "expected \"exact-fp32\", found \"fast\"")]
    [InlineData("optimizer.kind", "\"adamw\"", "unknown optimizer \"adamw\"")]
    [InlineData("optimizer.lr", "0", "expected a positive learning rate within float's range, got 0")]
    [InlineData("optimizer.lr", "1e999", "expected a finite number, found 1e999")]
    [InlineData("optimizer.momentum", "0.5", "applies to momentum, nesterov and lars, not to adam")]
    [InlineData("optimizer.beta1", "1", "expected a value in [0, 1), got 1")]
    [InlineData("optimizer.beta2", "-0.5", "expected a value in [0, 1), got -0.5")]
    [InlineData("optimizer.eps", "0", "expected a value of at least 1.1754944E-38 (the smallest normal float) within float's range, got 0")]
    [InlineData("optimizer.weightDecay", "-1", "expected a non-negative value within float's range, got -1")]
    [InlineData("optimizer.trustCoefficient", "0.5", "applies to lars, not to adam")]
    [InlineData("optimizer.steps", "-1", "expected a non-negative integer, found -1")]
    [InlineData("optimizer.nadamMuProduct", "-1e999", "expected a finite number, found -1e999")]
    [InlineData("optimizer.nadamMuProduct", "0", "expected a product of momentum factors in (0, 1], found 0")]
    [InlineData("optimizer.nadamMuProduct", "1.5", "expected a product of momentum factors in (0, 1], found 1.5")]
    [InlineData("training.epochs", "-1", "expected a non-negative number, got -1")]
    [InlineData("training.epochs", "3000000000", "expected an integer, found 3000000000")]
    [InlineData("training.batch", "0", "expected a positive number, got 0")]
    [InlineData("training.seed", "-1", "expected an integer from 0 to 18446744073709551615, found -1")]
    [InlineData("training.seed", "1.5", "expected an integer from 0 to 18446744073709551615, found 1.5")]
    [InlineData("training.schedule", "\"step:0:0.5\"", "expected constant, cosine")]
    [InlineData("training.warmup", "-2", "expected a non-negative integer, found -2")]
    [InlineData("training.accumulate", "5", "expected a number of micro-batches from 1 to the batch size 4, got 5")]
    [InlineData("training.lrScaling", "\"linear:0\"", "expected none or linear:BASE_BATCH")]
    [InlineData("training.dropout", "[0.5, 0.5]", "expected 1 drop rates (one per hidden layer), found 2")]
    [InlineData("training.dropout", "0.5", "expected an array, found a number")]
    [InlineData("position.epoch", "-1", "expected a non-negative integer, found -1")]
    [InlineData("position.batch", "-1", "expected a non-negative integer, found -1")]
    [InlineData("position.epoch", "2", "2 epochs completed, more than the run's 1 (training.epochs)")]
    [InlineData("position.batch", "1", "batch 1 after the run's last epoch (1, training.epochs); a finished run stands at batch 0")]
    [InlineData("position.shuffleState", "[1, 2, 3]", "expected 4 numbers, found 3")]
    [InlineData("position.lossSum", "1e999", "expected a finite number, found 1e999")]
    [InlineData("position.lossSum", "-0.5", "expected a sum of losses, 0 or more, found -0.5")]
    [InlineData("position.correct", "-1", "expected a count of examples, a whole number of 0 or more, found -1")]
    [InlineData("position.correct", "2.5", "expected a count of examples, a whole number of 0 or more, found 2.5")]
    [InlineData("trainingDataSha256", "\"abc\"", "expected 64 lowercase hexadecimal digits, found \"abc\"")]
    [InlineData("dropout", "[0.5, 0.5]", "expected 1 drop rates (one per hidden layer), found 2")]
    public void AnOutOfRangeFieldIsNamedWithWhatWasExpected(string field, string json, string expected)
    {
        CheckpointFormatException e = Refused(field, json);
        Assert.StartsWith($"field.ckpt, field {field}: {expected}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("position.shuffleState[2]", "-1", "expected an integer from 0 to 18446744073709551615, found -1")]
    [InlineData("training.dropout[0]", "1", "expected a drop rate p with 0 ≤ p < 1, found 1")]
    [InlineData("training.dropout[0]", "\"0.5\"", "expected a finite number, found \"0.5\"")]
    public void AnOutOfRangeElementIsNamedByItsIndex(string element, string json, string expected)
    {
        byte[] bytes = Seed.Value;
        if (element.StartsWith("training.dropout", StringComparison.Ordinal))
        {
            bytes = CheckpointHeaders.WithField(bytes, "training.dropout", "[0.25]");
        }
        byte[] bad = CheckpointHeaders.WithField(bytes, element, json);
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bad, "field.ckpt"));
        Assert.Equal($"field.ckpt, field {element}: {expected}", e.Message);
    }

    // the model's record and the run's options each hold the drop rates: an edit of one is refused, not half-believed
    [Fact]
    public void DropRatesThatDifferBetweenTheModelAndTheRunAreRefused()
    {
        byte[] bytes = CheckpointHeaders.WithField(Seed.Value, "training.dropout", "[0.25]");
        bytes = CheckpointHeaders.WithField(bytes, "dropout", "[0.5]");

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "field.ckpt"));

        Assert.Equal("field.ckpt, field dropout: [0.5], but training.dropout is [0.25]; a run records one", e.Message);
    }

    [Fact]
    public void TheSeedCheckpointReadsWithAValidDropoutList()
    {
        // The edits above change one field of a file that otherwise reads: this is that file, with a dropout list.
        Checkpoint read = CheckpointFile.Deserialize(CheckpointHeaders.WithField(Seed.Value, "training.dropout", "[0.25]"), "ok.ckpt");
        Assert.Equal([0.25], read.Training.Dropout);
    }

    private static CheckpointFormatException Refused(string field, string? json)
    {
        byte[] bytes = CheckpointHeaders.WithField(Seed.Value, field, json);
        return Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "field.ckpt"));
    }
}
