using System.Text;
using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.ModelFiles;

/// <summary>Reading a model file bounds what it reads and allocates, and refuses what is not a model by name.</summary>
public sealed class ModelFileReadingTests : IDisposable
{
    private const string OneUnitOfTwoInputs = """
        { "format": "fastnet-model", "version": 1, "inputs": INPUTS,
          "layers": [ { "units": UNITS, "activation": "tanh", "weights": [[0.5, WEIGHT]] } ] }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Model(string inputs = "2", string units = "1", string weight = "0.25") =>
        _dir.Write("m.json", OneUnitOfTwoInputs.Replace("INPUTS", inputs, StringComparison.Ordinal)
            .Replace("UNITS", units, StringComparison.Ordinal).Replace("WEIGHT", weight, StringComparison.Ordinal));

    [Fact]
    public void AValidFileLoads()
    {
        Assert.Equal([0.5f, 0.25f], ModelJson.Read(Model()).Parameters);
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-1e999")]
    [InlineData("NaN")]
    [InlineData("\"Infinity\"")]
    public void ANonFiniteParameterNamesTheLayerAndIndex(string weight)
    {
        string path = Model(weight: weight);
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(weight == "NaN" ? "not valid JSON" : $"field layers[0].weights[0][1]: expected a finite number, found {weight}",
            e.Message, StringComparison.Ordinal);
    }

    // Counts a network can hold but the text cannot are refused for the text; counts past 2^31 − 1 for the network.
    [Theory]
    [InlineData("30000", "30000", "layers: the layers declare more parameters than a file of ")]
    [InlineData("100000", "100000", "layers[0].units: the network 100000-100000 is too large")]
    [InlineData("2", "2000000000", "layers[0].units: the network 2-2000000000 is too large")]
    public void LayersDeclaringMoreParametersThanTheFileHoldsAreRefusedBeforeAllocation(string inputs, string units, string expected)
    {
        string path = Model(inputs, units);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Contains($"{path}, field {expected}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABinaryFileIsRefusedAsBinary()
    {
        string path = _dir.Write("m.json", [(byte)'{', 0, 1, 2, 3]);
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.Equal($"{path}: not a FastNet model file: it holds binary data, not JSON text", e.Message);
    }

    [Fact]
    public void ADirectoryIsRefusedAsADirectory()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(_dir.Path));
        Assert.Equal($"{_dir.Path}: is a directory, not a file", e.Message);
    }

    [Fact]
    public void AFileOverTheLimitIsRefusedBeforeItIsRead()
    {
        string path = _dir.File("huge.json");
        using (FileStream file = File.Create(path))
        {
            file.SetLength(ModelJson.MaxBytes + 1); // sparse: no disk used
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal($"{path}: the file is {ModelJson.MaxBytes + 1} bytes, more than the limit of {ModelJson.MaxBytes}", e.Message);
    }

    // eval opens a model with the checkpoint's larger limit before it knows which it is: the model file's holds.
    [Fact]
    public void AFileOverTheLimitIsRefusedBeforeItIsReadFromAStreamWithALargerLimit()
    {
        string path = _dir.File("huge.json");
        using (FileStream file = File.Create(path))
        {
            file.SetLength(ModelJson.MaxBytes + 1);
        }
        using GuardedStream stream = GuardedFile.OpenRead(path, ModelJson.MaxBytes * 4,
            (problem, inner) => new ModelFormatException($"{path}: {problem}", inner), decompress: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(stream, path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Equal($"{path}: the file is {ModelJson.MaxBytes + 1} bytes, more than the limit of {ModelJson.MaxBytes}", e.Message);
    }

    [Fact]
    public void ACrossEntropyModelWhoseOutputLayerIsNotIdentityIsRefusedNamingTheLayer()
    {
        string path = _dir.Write("relu.json", OneUnitOfTwoInputs.Replace("\"version\": 1", "\"version\": 2, \"loss\": \"cross-entropy\"",
            StringComparison.Ordinal).Replace("INPUTS", "2", StringComparison.Ordinal).Replace("UNITS", "1", StringComparison.Ordinal)
            .Replace("WEIGHT", "0.25", StringComparison.Ordinal));
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.Equal($"{path}, field layers[0].activation: cross-entropy applies softmax to the output layer itself: its "
            + "activation must be identity, not tanh", e.Message);
    }

    [Fact]
    public void AByteOrderMarkIsSkippedAsBefore()
    {
        string path = Model();
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. File.ReadAllBytes(path)]);
        Assert.Equal([0.5f, 0.25f], ModelJson.Read(path).Parameters);
    }
}
