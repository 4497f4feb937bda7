using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.ModelFiles;

/// <summary>Networks with more parameters than a flat vector can index are refused with their count, whether they come
/// from options, a model file or a checkpoint; nothing here allocates the parameters.</summary>
public class NetworkSizeLimitTests
{
    [Fact]
    public void AHundredMillionUnitLayerIsRefusedWithItsParameterCountNotAnOverflow()
    {
        var e = Assert.Throws<NetworkTooLargeException>(() =>
            new NetworkSpec(64, [new LayerSpec(100_000_000, Activation.Relu), new LayerSpec(10, Activation.Identity)]));

        Assert.Contains("64-100000000-10 is too large", e.Message, StringComparison.Ordinal);
        Assert.Contains("6400000000 parameters", e.Message, StringComparison.Ordinal); // 64 × 1e8, counted in 64 bits
        Assert.Equal(0, e.Layer); // the units, not the 64 inputs, are the size at fault
    }

    [Fact]
    public void TheLargestSizesAreCountedWithoutWrapping()
    {
        // (2^31 − 1)² = 4611686014132420609 fits a long; an int count would wrap
        var e = Assert.Throws<NetworkTooLargeException>(() =>
            new NetworkSpec(int.MaxValue, [new LayerSpec(int.MaxValue, Activation.Identity)]));

        Assert.Contains("4611686014132420609 parameters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheInputsAreNamedWhenTheyAreTheSizeAtFault()
    {
        var e = Assert.Throws<NetworkTooLargeException>(() =>
            new NetworkSpec(int.MaxValue, [new LayerSpec(10, Activation.Identity)]));

        Assert.Null(e.Layer);
    }

    [Fact]
    public void BiasesThatPassTheLimitAreRefusedAndAWeightVectorOfExactlyTheLimitIsNot()
    {
        // 1 input × (2^31 − 1) units is exactly the limit without biases; their biases pass it
        var fits = new NetworkSpec(1, [new LayerSpec(int.MaxValue, Activation.Identity, HasBias: false)]);
        Assert.Equal(int.MaxValue, fits.ParameterCount);

        var e = Assert.Throws<NetworkTooLargeException>(() =>
            new NetworkSpec(1, [new LayerSpec(int.MaxValue, Activation.Identity)]));
        Assert.Contains("biases", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, e.Layer);
    }

    [Fact]
    public void AModelFileDeclaringTwoBillionInputsIsAFormatErrorNamingTheFileAndField()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("huge.json", ModelDocument(inputs: int.MaxValue, units: [10]));

        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("field inputs", e.Message, StringComparison.Ordinal);
        Assert.Contains("too large", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelFileDeclaringTwoBillionUnitsNamesThatLayersUnits()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("huge.json", ModelDocument(inputs: 64, units: [16, int.MaxValue, 10]));

        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("field layers[1].units", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointDeclaringTwoBillionInputsIsAFormatErrorNamingTheFile()
    {
        byte[] bytes = SmallCheckpoint();
        byte[] huge = WithHeader(bytes, Header(bytes).Replace("\"inputs\":4", $"\"inputs\":{int.MaxValue}", StringComparison.Ordinal));

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Deserialize(huge, "huge.ckpt"));

        Assert.Contains("huge.ckpt", e.Message, StringComparison.Ordinal);
        Assert.Contains("too large", e.Message, StringComparison.Ordinal);
        Assert.Contains("2147483647 inputs", e.Message, StringComparison.Ordinal);
    }

    // the smallest document ModelJson reads: sizes as given, no weights (the size check comes before them)
    private static string ModelDocument(int inputs, int[] units) =>
        $$"""{"format":"fastnet-model","version":1,"inputs":{{inputs}},"layers":[{{string.Join(",",
            units.Select(u => $$"""{"units":{{u}},"activation":"identity","weights":[]}"""))}}]}""";

    private static byte[] SmallCheckpoint()
    {
        var spec = new NetworkSpec(4, [new LayerSpec(3, Activation.Identity)]);
        var data = new Dataset("two", 4, new float[8], 3, Dataset.OneHot([0, 1], 3), 3, [0, 1]);
        var options = new TrainingOptions(1, 2, Shuffle: false, Seed: 1);
        using IBackend backend = Backends.Create("reference");
        using var network = new TrainingNetwork(backend, new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(1)),
            LossKind.SoftmaxCrossEntropy, new OptimizerSettings { Kind = OptimizerKind.Sgd }, 2);
        using var trainer = new Trainer(network, data, null, options);
        return CheckpointFile.Serialize(Checkpoint.Capture(network, trainer, options));
    }

    // layout: magic (8), version (4), header length (4), header, parameters and state, SHA-256 of all before it (32)
    private static string Header(byte[] checkpoint) =>
        Encoding.UTF8.GetString(checkpoint, 16, (int)BinaryPrimitives.ReadUInt32LittleEndian(checkpoint.AsSpan(12)));

    private static byte[] WithHeader(byte[] checkpoint, string header)
    {
        int oldLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(checkpoint.AsSpan(12));
        byte[] newHeader = Encoding.UTF8.GetBytes(header);
        byte[] length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)newHeader.Length);
        byte[] body = [.. checkpoint[..12], .. length, .. newHeader, .. checkpoint[(16 + oldLength)..^32]];
        return [.. body, .. SHA256.HashData(body)];
    }
}
