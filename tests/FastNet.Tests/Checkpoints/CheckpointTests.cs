using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Checkpoints;

public class CheckpointTests
{
    private static readonly NetworkSpec Spec = new(4, [new LayerSpec(5, Activation.Tanh), new LayerSpec(3, Activation.Identity)]);

    private static Dataset Blobs()
    {
        var random = new SeededRandom(9);
        int[] labels = [.. Enumerable.Range(0, 23).Select(i => i % 3)];
        float[] features = [.. Enumerable.Range(0, 23 * 4).Select(i => (float)(labels[i / 4] + random.NextDouble(-0.7, 0.7)))];
        return new Dataset("blobs", 4, features, 3, Dataset.OneHot(labels, 3), 3, labels);
    }

    private static readonly TrainingOptions Options = new(2, 4, Shuffle: true, Seed: 21)
    {
        Schedule = new LearningRateSchedule(ScheduleKind.Cosine, WarmupSteps: 3),
    };

    private sealed class Session : IDisposable
    {
        public Session(string backendName, OptimizerKind kind, NetworkSpec? spec = null)
        {
            Backend = Backends.Create(backendName);
            Model.Model initial = new Initializer(InitializerKind.Auto).Create(spec ?? Spec, new SeededRandom(4));
            Network = new TrainingNetwork(Backend, initial, LossKind.SoftmaxCrossEntropy,
                new OptimizerSettings
                {
                    Kind = kind,
                    LearningRate = kind == OptimizerKind.Lars ? 5 : 0.05,
                    TrustCoefficient = kind == OptimizerKind.Lars ? 0.002 : null,
                    WeightDecay = 1e-3,
                }, Options.BatchSize, rates: Options.LearningRates(Blobs().Count));
            Trainer = new Trainer(Network, Blobs(), null, Options);
        }

        public Session(string backendName, Checkpoint checkpoint)
        {
            Backend = Backends.Create(backendName);
            Network = checkpoint.CreateNetwork(Backend, Blobs().Count);
            Trainer = new Trainer(Network, Blobs(), null, checkpoint.Training);
            checkpoint.Restore(Network, Trainer);
        }

        public IBackend Backend { get; }

        public TrainingNetwork Network { get; }

        public Trainer Trainer { get; }

        public void Dispose()
        {
            Trainer.Dispose();
            Network.Dispose();
            Backend.Dispose();
        }
    }

    public static TheoryData<string, OptimizerKind> Cases()
    {
        var data = new TheoryData<string, OptimizerKind>();
        foreach (BackendDescriptor backend in Backends.Available)
        {
            data.Add(backend.Name, OptimizerKind.Adam);
            data.Add(backend.Name, OptimizerKind.Nadam);
            data.Add(backend.Name, OptimizerKind.Momentum);
            data.Add(backend.Name, OptimizerKind.Lars);
            data.Add(backend.Name, OptimizerKind.Lamb);
        }
        return data;
    }

    public static TheoryData<string, string> NewActivationCases()
    {
        var data = new TheoryData<string, string>();
        foreach (BackendDescriptor backend in Backends.Available)
        {
            foreach (string activation in new[] { "gelu", "gelu-tanh", "leaky-relu:0.1" })
            {
                data.Add(backend.Name, activation);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NewActivationCases))]
    public void ResumeIsBitForBitWithTheNewActivations(string backend, string activation)
    {
        var spec = new NetworkSpec(4, [new LayerSpec(5, Names.ParseActivation(activation)),
            new LayerSpec(3, Activation.Identity)]);
        using var dir = new TempDirectory();
        float[] straight;
        using (var session = new Session(backend, OptimizerKind.Adam, spec))
        {
            session.Trainer.Run(_ => { });
            straight = session.Network.ToModel().Parameters;
        }
        string path = dir.File("after-one.ckpt");
        using (var session = new Session(backend, OptimizerKind.Adam, spec))
        {
            session.Trainer.RunEpoch();
            CheckpointFile.Write(Checkpoint.Capture(session.Network, session.Trainer, Options), path);
        }
        using var resumed = new Session(backend, CheckpointFile.Read(path));
        Assert.Equal(spec.Layers, resumed.Network.Spec.Layers);
        resumed.Trainer.RunEpoch();
        Assert.Equal(straight, resumed.Network.ToModel().Parameters);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwoEpochsEqualOneEpochResumeOneEpochBitForBit(string backend, OptimizerKind kind)
    {
        using var dir = new TempDirectory();
        float[] straight;
        var straightReports = new List<EpochReport>();
        using (var session = new Session(backend, kind))
        {
            session.Trainer.Run(straightReports.Add);
            straight = session.Network.ToModel().Parameters;
        }

        string path = dir.File("after-one.ckpt");
        using (var session = new Session(backend, kind))
        {
            session.Trainer.RunEpoch();
            CheckpointFile.Write(Checkpoint.Capture(session.Network, session.Trainer, Options), path);
        }
        using (var resumed = new Session(backend, CheckpointFile.Read(path)))
        {
            EpochReport second = resumed.Trainer.RunEpoch()!;
            Assert.Equal(straight, resumed.Network.ToModel().Parameters);
            Assert.Equal(straightReports[1].TrainLoss, second.TrainLoss);
            Assert.Equal(2, resumed.Trainer.Epoch);
        }
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void StoppingMidEpochAndResumingMatchesAnUninterruptedRun(string backend)
    {
        using var dir = new TempDirectory();
        float[] straight;
        EpochReport straightFirst;
        using (var session = new Session(backend, OptimizerKind.Adam))
        {
            straightFirst = session.Trainer.RunEpoch()!;
            session.Trainer.RunEpoch();
            straight = session.Network.ToModel().Parameters;
        }

        string path = dir.File("mid.ckpt");
        using (var session = new Session(backend, OptimizerKind.Adam))
        {
            using var cancel = new CancellationTokenSource();
            int batches = 0;
            EpochReport? report = session.Trainer.RunEpoch(cancel.Token, _ =>
            {
                if (++batches == 3)
                {
                    cancel.Cancel();
                }
            });
            Assert.Null(report);
            Assert.Equal(3, session.Trainer.Position.Batch);
            CheckpointFile.Write(Checkpoint.Capture(session.Network, session.Trainer, Options), path);
        }
        using (var resumed = new Session(backend, CheckpointFile.Read(path)))
        {
            EpochReport first = resumed.Trainer.RunEpoch()!;
            Assert.Equal(straightFirst.TrainLoss, first.TrainLoss);
            resumed.Trainer.RunEpoch();
            Assert.Equal(straight, resumed.Network.ToModel().Parameters);
        }
    }

    [Fact]
    public void EveryBackendLoadsACheckpointWrittenByAnother()
    {
        using var dir = new TempDirectory();
        string path = dir.File("any.ckpt");
        using (var session = new Session("reference", OptimizerKind.Adam))
        {
            session.Trainer.RunEpoch();
            CheckpointFile.Write(Checkpoint.Capture(session.Network, session.Trainer, Options), path);
        }
        Checkpoint saved = CheckpointFile.Read(path);
        foreach (BackendDescriptor backend in Backends.Available)
        {
            using var session = new Session(backend.Name, saved);
            Assert.Equal(saved.Model.Parameters, session.Network.ToModel().Parameters);
            Assert.Equal(saved.OptimizerState, session.Network.DownloadOptimizerState());
            Assert.Equal(1, session.Trainer.Epoch);
            Assert.Equal(saved.OptimizerSteps, session.Network.Optimizer.Steps);
        }
    }

    [Fact]
    public void RoundTripKeepsAnEpochsSumsInFloat64()
    {
        // a loss sum no float holds, and a count past 2^24, which a float32 field rounded to 16777220
        using var session = new Session("reference", OptimizerKind.Sgd);
        session.Network.SetMetrics(0.1, (1 << 24) + 3);
        Checkpoint original = Checkpoint.Capture(session.Network, session.Trainer, Options);

        Checkpoint copy = CheckpointFile.Deserialize(CheckpointFile.Serialize(original), "memory");

        Assert.Equal(0.1, copy.Position.LossSum);
        Assert.Equal((1 << 24) + 3, copy.Position.Correct);
    }

    [Fact]
    public void APositionCountingMoreCorrectExamplesThanItHasSeenIsRefused()
    {
        using var session = new Session("reference", OptimizerKind.Sgd);
        (ulong, ulong, ulong, ulong) shuffle = session.Trainer.Position.ShuffleState;
        int seen = 2 * Options.BatchSize;
        session.Trainer.Restore(new TrainingPosition(0, 2, shuffle, 1, seen)); // every example so far correct

        var e = Assert.Throws<ArgumentException>(() =>
            session.Trainer.Restore(new TrainingPosition(0, 2, shuffle, 1, seen + 1)));
        Assert.Equal($"cannot continue with {seen + 1} examples counted correct after {seen} examples of the epoch",
            e.Message);
    }

    [Theory]
    [InlineData(OptimizerKind.Nadam)]
    [InlineData(OptimizerKind.Lars)]
    public void RoundTripKeepsEveryField(OptimizerKind kind)
    {
        using var session = new Session("reference", kind);
        session.Trainer.RunEpoch();
        Checkpoint original = Checkpoint.Capture(session.Network, session.Trainer, Options);
        Checkpoint copy = CheckpointFile.Deserialize(CheckpointFile.Serialize(original), "memory");

        Assert.Equal(original.Model.Parameters, copy.Model.Parameters);
        Assert.Equal(original.Model.Spec.ToString(), copy.Model.Spec.ToString());
        Assert.Equal(original.OptimizerState, copy.OptimizerState);
        Assert.Equal(original.Optimizer, copy.Optimizer);
        Assert.Equal(original.OptimizerSteps, copy.OptimizerSteps);
        Assert.Equal(original.NadamMuProduct, copy.NadamMuProduct);
        Assert.Equal(original.Position, copy.Position);
        Assert.Equal(original.Training, copy.Training);
        Assert.Equal(original.Loss, copy.Loss);
        Assert.Equal(Checkpoint.ExactMathMode, copy.MathMode);
    }

    [Fact]
    public void TruncatedOrAlteredFilesAreRejected()
    {
        using var session = new Session("reference", OptimizerKind.Adam);
        byte[] bytes = CheckpointFile.Serialize(Checkpoint.Capture(session.Network, session.Trainer, Options));

        var truncated = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes[..^100], "t.ckpt"));
        Assert.Contains("t.ckpt", truncated.Message, StringComparison.Ordinal);

        byte[] altered = (byte[])bytes.Clone();
        altered[altered.Length / 2] ^= 0x01;
        var flipped = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(altered, "a.ckpt"));
        Assert.Contains("checksum", flipped.Message, StringComparison.Ordinal);

        byte[] foreign = (byte[])bytes.Clone();
        foreign[0] = (byte)'X';
        var magic = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(foreign, "m.ckpt"));
        Assert.Contains("not a FastNet checkpoint", magic.Message, StringComparison.Ordinal);

        Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes[..12], "short.ckpt"));
    }

    [Fact]
    public void AnInterruptedWriteLeavesThePreviousCheckpointLoadable()
    {
        using var dir = new TempDirectory();
        string path = dir.File("keep.ckpt");
        using var session = new Session("reference", OptimizerKind.Adam);
        Checkpoint first = Checkpoint.Capture(session.Network, session.Trainer, Options);
        CheckpointFile.Write(first, path);

        byte[] next = CheckpointFile.Serialize(first);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(next.AsSpan(0, next.Length / 2));
            throw new IOException("simulated crash in the middle of the write");
        }));

        Assert.Equal(first.Model.Parameters, CheckpointFile.Read(path).Model.Parameters);
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
