using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.ModelFiles;

/// <summary>The model file and the checkpoint carry what is needed to use a model without its training command
/// line, exactly, and older model files still load.</summary>
public class ModelMetadataTests
{
    private const string VersionOne = """
        { "format": "fastnet-model", "version": 1, "inputs": 3,
          "layers": [ { "units": 2, "activation": "identity", "weights": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]] } ] }
        """;

    private static FastNet.Model.Model Model(ModelMetadata metadata)
    {
        var spec = new NetworkSpec(3, [new LayerSpec(2, Activation.Identity)]);
        return new FastNet.Model.Model(spec, [.. Enumerable.Range(0, spec.ParameterCount).Select(i => i / 7f)]) { Metadata = metadata };
    }

    // Means and deviations whose shortest decimal forms are long: they must come back with the same bits.
    private static StandardizeScaling Standardize() =>
        new(new Standardizer([1f / 3, -2.5e-7f, 123456.79f], [0.1f, 7f / 9, 1e-30f]));

    [Fact]
    public void EveryMetadataMemberReadsBackExactly()
    {
        var metadata = new ModelMetadata
        {
            Scaling = Standardize(),
            Loss = LossKind.SoftmaxCrossEntropy,
            ClassNames = ["cat", "dog, big"],
            Data = new TrainingDataSource("train.csv", 0, 0.25, 0.1, 42, TrainingSha256: new string('e', 64)),
        };
        using var dir = new TempDirectory();

        ModelJson.Write(Model(metadata), dir.File("m.json"));
        ModelMetadata read = ModelJson.Read(dir.File("m.json")).Metadata;

        Assert.Equal(metadata.Scaling, read.Scaling);
        Assert.Equal(LossKind.SoftmaxCrossEntropy, read.Loss);
        Assert.Equal(["cat", "dog, big"], read.ClassNames);
        Assert.Null(read.TargetNames);
        Assert.Equal(metadata.Data, read.Data);
    }

    [Theory]
    [InlineData(255f)]
    [InlineData(16f)]
    [InlineData(0.7f)]
    public void ADivisorReadsBackExactly(float divisor)
    {
        using var dir = new TempDirectory();
        ModelJson.Write(Model(new ModelMetadata { Scaling = new DivideScaling(divisor), TargetNames = ["y", "z"] }), dir.File("m.json"));
        ModelMetadata read = ModelJson.Read(dir.File("m.json")).Metadata;
        Assert.Equal(new DivideScaling(divisor), read.Scaling);
        Assert.Equal(["y", "z"], read.TargetNames);
        Assert.Null(read.Loss);
    }

    [Fact]
    public void AVersionOneFileLoadsWithNothingKnownBesidesItsLayers()
    {
        using var dir = new TempDirectory();
        FastNet.Model.Model model = ModelJson.Read(dir.Write("v1.json", VersionOne));
        Assert.Equal(ModelMetadata.None, model.Metadata);
        Assert.Equal(0.6f, model.Weight(0, 1, 2));
    }

    [Fact]
    public void ACheckpointCarriesTheSameMetadataAndTheTrainingDataChecksum()
    {
        Dataset data = EmbeddedDatasets.Digits();
        var metadata = new ModelMetadata
        {
            Scaling = new DivideScaling(16),
            Loss = LossKind.SoftmaxCrossEntropy,
            ClassNames = [.. Enumerable.Range(0, 10).Select(k => $"digit {k}")],
            Data = new TrainingDataSource("digits", 0, 0.2, 0, 1),
        };
        var spec = new NetworkSpec(64, [new LayerSpec(10, Activation.Identity)]);
        var training = new TrainingOptions(1, 100, true, 1);
        using IBackend backend = Backends.Create("reference");
        using var network = new TrainingNetwork(backend, Initializer.Parse("xavier").Create(spec, new SeededRandom(1)),
            LossKind.SoftmaxCrossEntropy, new OptimizerSettings(), 100);
        using var trainer = new Trainer(network, data, null, training);
        using var dir = new TempDirectory();

        CheckpointFile.Write(Checkpoint.Capture(network, trainer, training, metadata, DatasetChecksum.Sha256(data)), dir.File("c.ckpt"));
        Checkpoint read = CheckpointFile.Read(dir.File("c.ckpt"));

        Assert.Equal(metadata.Scaling, read.Model.Metadata.Scaling);
        Assert.Equal(metadata.ClassNames, read.Model.Metadata.ClassNames);
        Assert.Equal(metadata.Data, read.Model.Metadata.Data);
        Assert.Equal(LossKind.SoftmaxCrossEntropy, read.Model.Metadata.Loss);
        Assert.Equal(DatasetChecksum.Sha256(data), read.TrainingDataSha256);
    }

    [Fact]
    public void TheTrainingDataChecksumChangesWithOneFeatureBit()
    {
        // the digits load compact (bytes); the same numbers held as floats have the same checksum
        Dataset a = EmbeddedDatasets.Digits();
        Dataset b = a.WithFeatures(a.FeatureCount, [.. a.Features]);
        Assert.True(a.IsCompact);
        Assert.Equal(DatasetChecksum.Sha256(a), DatasetChecksum.Sha256(b));
        b.Features[1000] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(b.Features[1000]) ^ 1);
        Assert.NotEqual(DatasetChecksum.Sha256(a), DatasetChecksum.Sha256(b));
    }

    [Theory]
    [InlineData("\"preprocessing\": { \"kind\": \"standardize\", \"mean\": [0, 0], \"std\": [1, 1] }", "preprocessing.mean", "expected 3 means")]
    [InlineData("\"preprocessing\": { \"kind\": \"standardize\", \"mean\": [0, 0, 0], \"std\": [1, 0, 1] }", "preprocessing.std[1]", "positive")]
    [InlineData("\"preprocessing\": { \"kind\": \"divide\", \"divisor\": -3 }", "preprocessing.divisor", "positive")]
    [InlineData("\"preprocessing\": { \"kind\": \"divide\", \"divisor\": 1e99 }", "preprocessing.divisor", "finite")]
    [InlineData("\"preprocessing\": { \"kind\": \"divide\", \"divisor\": 1e-40 }", "preprocessing.divisor", "at least 1.1754944E-38 (a normal float, whose reciprocal is finite), found 1E-40")]
    [InlineData("\"preprocessing\": { \"kind\": \"divide\", \"divisor\": 1e-39 }", "preprocessing.divisor", "at least 1.1754944E-38")]
    [InlineData("\"preprocessing\": { \"kind\": \"standardize\", \"mean\": [0, 0, 0], \"std\": [1, 1e-42, 1] }", "preprocessing.std[1]", "at least 1.1754944E-38")]
    [InlineData("\"preprocessing\": { \"kind\": \"standardize\", \"mean\": [0, 1e39, 0], \"std\": [1, 1, 1] }", "preprocessing.mean[1]", "finite")]
    [InlineData("\"preprocessing\": { \"kind\": \"minmax\" }", "preprocessing.kind", "none, divide or standardize")]
    [InlineData("\"classes\": [\"a\", \"b\", \"c\"]", "classes", "expected 2 class names")]
    [InlineData("\"classes\": [\"a\", \"a\"]", "classes", "distinct")]
    [InlineData("\"classes\": [\"a\", \"b\"], \"targets\": [\"x\", \"y\"]", "targets", "not both")]
    [InlineData("\"loss\": \"hinge\"", "loss", "unknown loss")]
    [InlineData("\"data\": { \"source\": \"x.csv\", \"targetColumns\": 0, \"testFraction\": 1.5, \"validationFraction\": 0, \"seed\": 1 }", "data.testFraction", "[0, 1)")]
    [InlineData("\"data\": { \"source\": \"x.csv\", \"targetColumns\": 0, \"validationFraction\": 0, \"seed\": -1 }", "data.seed", "non-negative")]
    [InlineData("\"data\": { \"source\": \"x.csv\", \"targetColumns\": 0, \"validationFraction\": 0, \"seed\": 1, \"trainingSha256\": \"ABC\" }", "data.trainingSha256", "64 lowercase hexadecimal digits")]
    public void MalformedMetadataIsRefusedNamingTheFileAndField(string member, string field, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.json", VersionOne.Replace("\"version\": 1,", $"\"version\": 2, {member},", StringComparison.Ordinal));
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.Contains("bad.json", e.Message, StringComparison.Ordinal);
        Assert.Contains($"field {field}", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    // a version 1 file has no metadata: one that states some anyway is refused, not read without it
    [Theory]
    [InlineData("\"preprocessing\": { \"kind\": \"divide\", \"divisor\": 100 }", "preprocessing")]
    [InlineData("\"loss\": \"cross-entropy\"", "loss")]
    [InlineData("\"classes\": [\"a\", \"b\"]", "classes")]
    public void AVersionOneFileStatingMetadataIsRefusedNamingTheMember(string member, string field)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("v1.json", VersionOne.Replace("\"version\": 1,", $"\"version\": 1, {member},", StringComparison.Ordinal));
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.Contains("v1.json", e.Message, StringComparison.Ordinal);
        Assert.Contains($"field {field}: not a member this file may hold; expected format, version, inputs, layers",
            e.Message, StringComparison.Ordinal);
    }

    private const string OneHiddenLayer = """
        { "format": "fastnet-model", "version": 2, "inputs": 2, "dropout": DROPOUT,
          "layers": [ { "units": 2, "activation": "relu", "weights": [[0.1, 0.2], [0.3, 0.4]] },
                      { "units": 1, "activation": "identity", "weights": [[0.5, 0.6]] } ] }
        """;

    // A model trains with one drop rate per hidden layer, each 0 ≤ p < 1: a list that no run could have used is the
    // file's fault, named by its field.
    [Theory]
    [InlineData("[0.5, 0.5]", "dropout", "expected 1 drop rates (one per hidden layer), found 2")]
    [InlineData("[]", "dropout", "expected 1 drop rates (one per hidden layer), found 0")]
    [InlineData("0.5", "dropout", "expected an array, found a number")]
    [InlineData("[1]", "dropout[0]", "expected a drop rate p with 0 ≤ p < 1, found 1")]
    [InlineData("[-0.25]", "dropout[0]", "expected a drop rate p with 0 ≤ p < 1, found -0.25")]
    [InlineData("[\"0.5\"]", "dropout[0]", "expected a finite number, found \"0.5\"")]
    [InlineData("[1e999]", "dropout[0]", "expected a finite number, found 1e999")]
    public void ADropoutListThatDoesNotFitTheHiddenLayersIsRefusedNamingTheField(string dropout, string field, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("dropout.json", OneHiddenLayer.Replace("DROPOUT", dropout, StringComparison.Ordinal));
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.Equal($"{path}, field {field}: {expected}", e.Message);
    }

    [Fact]
    public void ADropoutListWithOneRatePerHiddenLayerReads()
    {
        FastNet.Model.Model model = ModelJson.Parse(OneHiddenLayer.Replace("DROPOUT", "[0.25]", StringComparison.Ordinal), "ok.json");
        Assert.Equal([0.25], model.Metadata.Dropout);
    }

    [Fact]
    public void ANetworkWithoutHiddenLayersHasNoDropRates()
    {
        string json = VersionOne.Replace("\"version\": 1,", "\"version\": 2, \"dropout\": [0.5],", StringComparison.Ordinal);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => ModelJson.Parse(json, "none.json"));
        Assert.Equal("none.json, field dropout: expected 0 drop rates (one per hidden layer), found 1", e.Message);
    }

    [Fact]
    public void AVersionThisFastNetDoesNotKnowIsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("v3.json", VersionOne.Replace("\"version\": 1", "\"version\": 3", StringComparison.Ordinal));
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.Contains("versions 1 and 2", e.Message, StringComparison.Ordinal);
    }
}
