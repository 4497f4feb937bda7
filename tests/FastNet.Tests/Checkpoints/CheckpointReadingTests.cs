using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FastNet.Checkpoints;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests.Checkpoints;

/// <summary>Reading a checkpoint bounds what it reads, refuses other files by their first bytes, and refuses
/// non-finite values even under a valid checksum, naming where they are.</summary>
public sealed class CheckpointReadingTests : IDisposable
{
    private static readonly Lazy<Checkpoint> Trained = new(SeedFiles.TrainedCheckpoint);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ANaNWeightUnderAValidChecksumNamesTheLayerAndIndex()
    {
        Checkpoint c = Trained.Value;
        float[] parameters = (float[])c.Model.Parameters.Clone();
        // Layer 1 is 4 inputs -> 2 units, W row-major [inputs, units]: input 3, unit 1.
        parameters[c.Model.Spec.WeightOffset(1) + 3 * 2 + 1] = float.NaN;
        byte[] bytes = CheckpointFile.Serialize(c with { Model = new Model.Model(c.Model.Spec, parameters) });

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "nan.ckpt"));
        Assert.Equal("nan.ckpt: layers[1].weights[1][3] is NaN; a checkpoint holds finite values only", e.Message);
    }

    [Fact]
    public void AnInfiniteBiasNamesTheLayerAndIndex()
    {
        Checkpoint c = Trained.Value;
        float[] parameters = (float[])c.Model.Parameters.Clone();
        parameters[c.Model.Spec.BiasOffset(0) + 2] = float.NegativeInfinity;
        byte[] bytes = CheckpointFile.Serialize(c with { Model = new Model.Model(c.Model.Spec, parameters) });

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "inf.ckpt"));
        Assert.Equal("inf.ckpt: layers[0].biases[2] is -Infinity; a checkpoint holds finite values only", e.Message);
    }

    [Fact]
    public void ANonFiniteOptimizerStateValueNamesTheSlotAndIndex()
    {
        Checkpoint c = Trained.Value;
        int trainable = c.Model.Spec.ParameterCount;
        float[] state = (float[])c.OptimizerState.Clone();
        state[trainable + 5] = float.PositiveInfinity; // Adam's second slot, parameter 5: layer 0, input 1, unit 1
        byte[] bytes = CheckpointFile.Serialize(c with { OptimizerState = state });

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "state.ckpt"));
        Assert.Equal("state.ckpt: optimizer state slot 1, index 5 (for layers[0].weights[1][1]) is Infinity; a checkpoint " +
            "holds finite values only", e.Message);
    }

    [Theory]
    [InlineData("\"nadamMuProduct\":", "optimizer.nadamMuProduct")]
    [InlineData("\"lr\":", "optimizer.lr")]
    [InlineData("\"lossSum\":", "position.lossSum")]
    public void AnInfiniteSettingInTheHeaderIsNamed(string member, string field)
    {
        // JSON has no infinity, but 1e999 reads as one.
        byte[] bytes = CheckpointHeaders.Rewrite(CheckpointFile.Serialize(Trained.Value), header =>
            Regex.Replace(header, Regex.Escape(member) + "[-0-9.eE+]+", member + "1e999"));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "big.ckpt"));
        Assert.Equal($"big.ckpt, field {field}: expected a finite number, found 1e999", e.Message);
    }

    // A valid checksum says the file is as written, not that a run could have written it; the value is the file's,
    // so the file's field is named, not the --batch option that sets it in a new run.
    [Fact]
    public void ABatchSizeOfZeroIsRefusedNamingTheFileAndField()
    {
        Checkpoint c = Trained.Value;
        byte[] bytes = CheckpointFile.Serialize(c with { Training = c.Training with { BatchSize = 0 } });
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "batch.ckpt"));
        Assert.StartsWith("batch.ckpt, field training.batch: expected a positive number", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANegativePositionIsRefusedNamingTheFileAndField()
    {
        Checkpoint c = Trained.Value;
        byte[] bytes = CheckpointFile.Serialize(c with { Position = c.Position with { Batch = -1 } });
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "position.ckpt"));
        Assert.Equal("position.ckpt, field position.batch: expected a non-negative integer, found -1", e.Message);
    }

    [Fact]
    public void ATrainingDataChecksumThatIsNotSha256IsRefusedNamingTheFile()
    {
        byte[] bytes = CheckpointFile.Serialize(Trained.Value with { TrainingDataSha256 = "zz" });
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "sha.ckpt"));
        Assert.Equal("sha.ckpt, field trainingDataSha256: expected 64 lowercase hexadecimal digits, found \"zz\"", e.Message);
    }

    [Fact]
    public void ACrossEntropyRunWhoseOutputLayerIsNotIdentityIsRefusedNamingTheFile()
    {
        byte[] bytes = CheckpointHeaders.Rewrite(CheckpointFile.Serialize(Trained.Value), header =>
            header.Replace("\"activation\":\"identity\"", "\"activation\":\"relu\"", StringComparison.Ordinal));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "relu.ckpt"));
        Assert.Equal("relu.ckpt, field layers[1].activation: cross-entropy applies softmax to the output layer itself: its activation must be " +
            "identity, not relu", e.Message);
    }

    [Fact]
    public void AFileWrittenBeforeGradientAccumulationReadsAsOneMicroBatchWithoutScaling()
    {
        byte[] bytes = CheckpointHeaders.Rewrite(CheckpointFile.Serialize(Trained.Value with
        {
            Training = Trained.Value.Training with { Accumulate = 2, LinearScalingBase = 128 },
        }), header => header.Replace(",\"accumulate\":2,\"lrScaling\":\"linear:128\"", "", StringComparison.Ordinal));
        Assert.DoesNotContain("accumulate", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Checkpoint old = CheckpointFile.Deserialize(bytes, "old.ckpt");
        Assert.Equal(1, old.Training.Accumulate);
        Assert.Null(old.Training.LinearScalingBase);
        Assert.Equal(Trained.Value.Training.BatchSize, old.Training.BatchSize);
    }

    [Fact]
    public void AFileWithADamagedMagicIsNotAFastNetCheckpointEvenIfItIsHuge()
    {
        string path = _dir.File("big.ckpt");
        using (FileStream file = File.Create(path))
        {
            file.Write("FNETCKPX"u8);
            file.SetLength(1L << 30); // sparse: no disk used
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Read(path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal($"{path}: not a FastNet checkpoint (the file does not start with \"FNETCKPT\")", e.Message);
    }

    [Fact]
    public void AHugeDeclaredCountIsRefusedBeforeAllocation()
    {
        byte[] bytes = CheckpointFile.Serialize(Trained.Value);
        int countAt = 16 + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(countAt), 400_000_000);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes.AsSpan(bytes.Length - 32));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(bytes, "count.ckpt"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.StartsWith("count.ckpt: parameters needs 1600000000 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectoryIsRefusedAsADirectory()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Read(_dir.Path));
        Assert.Equal($"{_dir.Path}: is a directory, not a file", e.Message);
    }

    [Fact]
    public void ParameterNamesFollowTheModelFile()
    {
        var spec = new NetworkSpec(2, [new LayerSpec(3, Kernels.Activation.Tanh, HasBias: false), new LayerSpec(1, Kernels.Activation.Identity)]);
        var model = new Model.Model(spec, [.. Enumerable.Range(0, spec.ParameterCount).Select(i => (float)i)]);
        for (int i = 0; i < spec.ParameterCount; i++)
        {
            string name = ParameterNames.Of(spec, i);
            float value = name switch
            {
                _ when name.StartsWith("layers[0].weights", StringComparison.Ordinal) => model.Weight(0, name[18] - '0', name[21] - '0'),
                _ when name.StartsWith("layers[1].weights", StringComparison.Ordinal) => model.Weight(1, name[18] - '0', name[21] - '0'),
                _ => model.Bias(1, name[17] - '0'),
            };
            Assert.Equal(i, value);
        }
    }
}
