using FastNet.Checkpoints;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests.Checkpoints;

/// <summary>
/// Early stopping's state (its patience, and the best epoch with its loss and parameters) and the divergence guard's
/// reference travel in the checkpoint, so a resumed run judges its epochs as the uninterrupted run would; values no run
/// can have are refused naming the field. The seed checkpoint is a finished run of one epoch.
/// </summary>
public sealed class CheckpointRunStateTests
{
    private static readonly Lazy<Checkpoint> Seed = new(() =>
    {
        Checkpoint c = SeedFiles.TrainedCheckpoint();
        return c with
        {
            EarlyStopping = new EarlyStoppingState(2, 1, 0.25, [.. c.Model.Parameters.Select(p => p + 1)]),
            DivergenceReference = 0.75,
            DivergenceChecksAbove = 1,
        };
    });

    [Fact]
    public void TheStateReadsBackExactly()
    {
        Checkpoint read = CheckpointFile.Deserialize(CheckpointFile.Serialize(Seed.Value), "ok.ckpt");

        EarlyStoppingState stopping = read.EarlyStopping!;
        Assert.Equal((2, 1, 0.25), (stopping.Patience, stopping.BestEpoch, stopping.BestLoss));
        Assert.Equal(Seed.Value.EarlyStopping!.BestParameters, stopping.BestParameters);
        Assert.Equal((0.75, 1), (read.DivergenceReference, read.DivergenceChecksAbove));
    }

    [Fact]
    public void BeforeItsFirstEpochEarlyStoppingStoresNoBestModel()
    {
        Checkpoint start = Seed.Value with { EarlyStopping = EarlyStoppingState.Start(4) };

        Checkpoint read = CheckpointFile.Deserialize(CheckpointFile.Serialize(start), "ok.ckpt");

        Assert.Equal((4, 0, double.PositiveInfinity), (read.EarlyStopping!.Patience, read.EarlyStopping.BestEpoch, read.EarlyStopping.BestLoss));
        Assert.Null(read.EarlyStopping.BestParameters);
    }

    public static TheoryData<string, string?, string> BadFields() => new()
    {
        { "earlyStopping.bestEpoch", "2", "field earlyStopping.bestEpoch: epoch 2, after the 1 completed (position.epoch)" },
        { "earlyStopping.bestEpoch", "0", "field earlyStopping.bestEpoch: 0 (none yet), but a best loss or best parameters are stored" },
        { "earlyStopping.bestLoss", "-1", "field earlyStopping.bestLoss: expected a finite loss of at least 0, found -1" },
        { "earlyStopping.bestLoss", null, "field earlyStopping.bestLoss: missing" },
        { "earlyStopping", null, "values stored after the optimizer state, but the header records no early stopping best epoch they would belong to" },
        { "divergence.referenceLoss", "-0.5", "field divergence.referenceLoss: expected a finite loss of at least 0, found -0.5" },
        { "divergence.checksAbove", "2", "field divergence.checksAbove: expected 0 to 1, found 2" },
        { "divergence.checksAbove", null, "field divergence.checksAbove: missing" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void AValueNoRunCanHaveIsRefusedByName(string field, string? json, string expected)
    {
        byte[] bytes = CheckpointHeaders.WithField(CheckpointFile.Serialize(Seed.Value), field, json);

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "state.ckpt"));

        Assert.StartsWith("state.ckpt", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABestEpochWithoutItsParametersIsRefused()
    {
        byte[] bytes = CheckpointFile.Serialize(Seed.Value with { EarlyStopping = EarlyStoppingState.Start(2) });
        bytes = CheckpointHeaders.WithField(bytes, "earlyStopping", "{\"patience\":2,\"bestEpoch\":1,\"bestLoss\":0.5}");

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "state.ckpt"));

        Assert.Equal($"state.ckpt: early stopping's best epoch 1 needs its {Seed.Value.Model.Spec.ParameterCount} parameters "
            + "stored after the optimizer state; 0 are", e.Message);
    }

    [Fact]
    public void ANonFiniteBestParameterIsRefused()
    {
        float[] best = [.. Seed.Value.EarlyStopping!.BestParameters!];
        best[5] = float.NaN;
        byte[] bytes = CheckpointFile.Serialize(Seed.Value with { EarlyStopping = Seed.Value.EarlyStopping with { BestParameters = best } });

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "state.ckpt"));

        Assert.StartsWith("state.ckpt: early stopping's best ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(" is NaN; a checkpoint holds finite values only", e.Message, StringComparison.Ordinal);
    }
}
