using System.Text.Json;
using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests.Checkpoints;

/// <summary>
/// A checkpoint header holds the members FastNet writes and no other: one that a newer FastNet wrote, a misspelling or
/// an edit would otherwise be dropped without a word and the run resumed without it. It is refused at whatever level of
/// the header it stands, naming the file, the member and the members expected there, and the format version this
/// FastNet reads; every member FastNet writes, the optional ones included, reads back to the same header.
/// </summary>
public sealed class CheckpointMemberTests : IDisposable
{
    private const string Version = "; this FastNet reads checkpoint format version 1";

    private const string RootMembers = "inputs, layers, loss, preprocessing, classes, targets, dropout, data, " +
        "trainingDataSha256, optimizer, trainBiases, training, position, earlyStopping, divergence, mathMode, backend";

    private static readonly Lazy<Checkpoint> Trained = new(SeedFiles.TrainedCheckpoint);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // The seed checkpoint (a 3-4-2 classifier after one epoch of Adam) with every optional member FastNet writes: a
    // classifier's class names and standardization, or a regression's target names and a divisor; early stopping with
    // its best epoch, and the divergence guard's reference.
    private static Checkpoint WithEveryMember(bool classifier)
    {
        Checkpoint c = Trained.Value;
        var metadata = new ModelMetadata
        {
            Scaling = classifier ? new StandardizeScaling(new Standardizer([0.5f, -1, 2], [1, 0.25f, 3])) : new DivideScaling(16),
            ClassNames = classifier ? ["cat", "dog"] : null,
            TargetNames = classifier ? null : ["y1", "y2"],
            Dropout = [0.25],
            Data = new TrainingDataSource("x.npy", 0, 0.2, 0.1, 5, Labels: "y.npy"),
        };
        return c with
        {
            Model = c.Model.WithMetadata(metadata),
            TrainingDataSha256 = new string('a', 64),
            Training = c.Training with { Accumulate = 2, LinearScalingBase = 8, Dropout = [0.25] },
            EarlyStopping = new EarlyStoppingState(3, 1, 0.6931471805599453, [.. c.Model.Parameters.Select(p => p / 2)]),
            DivergenceReference = 1.0986122886681098,
            DivergenceChecksAbove = 1,
        };
    }

    public static TheoryData<string, string, string> UnknownMembers() => new()
    {
        { "formatVersion", "2", RootMembers },
        { "layers[0].dropout", "0.5", "units, activation, bias" },
        { "layers[1].weightNorm", "true", "units, activation, bias" },
        { "optimizer.clip", "1", "kind, lr, momentum, beta1, beta2, eps, weightDecay, trustCoefficient, steps, nadamMuProduct" },
        { "training.labelSmoothing", "0.1", "epochs, batch, shuffle, seed, schedule, warmup, accumulate, lrScaling, dropout" },
        { "position.example", "3", "epoch, batch, shuffleState, lossSum, correct" },
        // checked by the reader that model files share, which says the version too
        { "preprocessing.clip", "4", "kind, mean, std" },
        { "data.shuffle", "false", "source, labels, targetColumns, testFraction, validationFraction, seed, header, trainingSha256" },
    };

    [Theory]
    [MemberData(nameof(UnknownMembers))]
    public void AMemberNoCheckpointHasIsRefusedByNameAtEveryLevel(string member, string json, string expected)
    {
        byte[] bytes = CheckpointHeaders.WithField(CheckpointFile.Serialize(WithEveryMember(classifier: true)), member, json);

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "new.ckpt"));

        Assert.Equal($"new.ckpt, field {member}: not a member this file may hold; expected {expected}{Version}", e.Message);
    }

    [Fact]
    public void AMemberNameIsQuotedWhenItNeedsIt()
    {
        byte[] bytes = CheckpointHeaders.Rewrite(CheckpointFile.Serialize(Trained.Value),
            header => header.Replace("\"optimizer\":{", "\"optimizer\":{\"a.b\\u001b\":1,", StringComparison.Ordinal));

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "new.ckpt"));

        Assert.StartsWith("new.ckpt, field optimizer.\"a.b\\u001b\": not a member", e.Message, StringComparison.Ordinal);
    }

    // What FastNet writes, as paths into the header (an array's elements as []); a member written without being read
    // would be missed by the round trip below only if no checkpoint here held it.
    private const string WrittenMembers = "backend, classes, classes[], data, data.labels, data.seed, data.source, " +
        "data.targetColumns, data.testFraction, data.validationFraction, divergence, divergence.checksAbove, " +
        "divergence.referenceLoss, dropout, dropout[], earlyStopping, earlyStopping.bestEpoch, earlyStopping.bestLoss, " +
        "earlyStopping.patience, inputs, layers, layers[], " +
        "layers[].activation, layers[].bias, layers[].units, loss, mathMode, optimizer, optimizer.beta1, optimizer.beta2, " +
        "optimizer.eps, optimizer.kind, optimizer.lr, optimizer.momentum, optimizer.nadamMuProduct, optimizer.steps, " +
        "optimizer.trustCoefficient, optimizer.weightDecay, position, position.batch, position.correct, position.epoch, " +
        "position.lossSum, position.shuffleState, position.shuffleState[], preprocessing, preprocessing.divisor, " +
        "preprocessing.kind, preprocessing.mean, preprocessing.mean[], preprocessing.std, preprocessing.std[], targets, " +
        "targets[], trainBiases, training, training.accumulate, training.batch, training.dropout, training.dropout[], " +
        "training.epochs, training.lrScaling, training.schedule, training.seed, training.shuffle, training.warmup, " +
        "trainingDataSha256";

    [Fact]
    public void EveryMemberFastNetWritesReadsBackToTheSameHeader()
    {
        var written = new SortedSet<string>(StringComparer.Ordinal);
        foreach (bool classifier in new[] { true, false })
        {
            string path = _dir.File($"every-{classifier}.ckpt");
            CheckpointFile.Write(WithEveryMember(classifier), path);
            byte[] bytes = File.ReadAllBytes(path);

            Checkpoint read = CheckpointFile.Read(path);

            // Written again from what was read: a member read into nothing would be missing here.
            Assert.Equal(CheckpointHeaders.Text(bytes), CheckpointHeaders.Text(CheckpointFile.Serialize(read)));
            Assert.Equal(bytes, CheckpointFile.Serialize(read));
            using JsonDocument header = JsonDocument.Parse(CheckpointHeaders.Text(bytes));
            AddPaths(header.RootElement, "", written);
        }

        Assert.Equal(WrittenMembers, string.Join(", ", written));
    }

    [Fact]
    public void AHeaderWithOnlyTheMembersOfTheFirstCheckpointsStillReads()
    {
        // The first checkpoints had no model metadata, training data checksum, trust coefficient, accumulation,
        // learning-rate scaling, dropout, early stopping or divergence reference: each was added later as an optional
        // member (and early stopping's best parameters after the optimizer state, which these files never had).
        byte[] bytes = CheckpointFile.Serialize(WithEveryMember(classifier: true) with { EarlyStopping = EarlyStoppingState.Start(2) });
        foreach (string later in new[] { "preprocessing", "classes", "dropout", "data", "trainingDataSha256",
            "optimizer.trustCoefficient", "training.accumulate", "training.lrScaling", "training.dropout", "earlyStopping",
            "divergence" })
        {
            bytes = CheckpointHeaders.WithField(bytes, later, null);
        }

        Checkpoint old = CheckpointFile.Deserialize(bytes, "old.ckpt");

        Assert.Equal(ModelMetadata.None with { Loss = old.Loss }, old.Model.Metadata);
        Assert.Null(old.TrainingDataSha256);
        Assert.Equal(1, old.Training.Accumulate);
        Assert.Null(old.Training.Dropout);
        Assert.Null(old.EarlyStopping);
        Assert.Null(old.DivergenceReference);
        Assert.Equal(Trained.Value.Model.Parameters, old.Model.Parameters);
    }

    private static void AddPaths(JsonElement element, string at, ISet<string> paths)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty member in element.EnumerateObject())
                {
                    string path = at.Length == 0 ? member.Name : $"{at}.{member.Name}";
                    paths.Add(path);
                    AddPaths(member.Value, path, paths);
                }
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    paths.Add(at + "[]");
                    AddPaths(item, at + "[]", paths);
                }
                break;
        }
    }
}
