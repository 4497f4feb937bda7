using System.Text.Json;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.ModelFiles;

/// <summary>The model file as README.md documents it, written straight to disk.</summary>
public class ModelJsonTests
{
    [Fact]
    public void WritesTheDocumentedFormatWithShortestRoundTripNumbers()
    {
        // 2 inputs, one sigmoid unit with a bias: weights[0] = (0.1, 1/3), bias -0
        var spec = new NetworkSpec(2, [new LayerSpec(1, Activation.Sigmoid)]);
        var model = new FastNet.Model.Model(spec, new float[spec.ParameterCount]);
        model.Weight(0, 0, 0) = 0.1f;
        model.Weight(0, 0, 1) = 1f / 3;
        model.Bias(0, 0) = -0f;
        using var dir = new TempDirectory();

        ModelJson.Write(model, dir.File("m.json"));

        string text = File.ReadAllText(dir.File("m.json"));
        Assert.Equal(ModelJson.ToJson(model), text);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(text);
        JsonElement root = doc.RootElement;
        Assert.Equal("fastnet-model", root.GetProperty("format").GetString());
        Assert.Equal(2, root.GetProperty("version").GetInt32());
        Assert.Equal(2, root.GetProperty("inputs").GetInt32());
        JsonElement layer = Assert.Single(root.GetProperty("layers").EnumerateArray());
        Assert.Equal(1, layer.GetProperty("units").GetInt32());
        Assert.Equal("sigmoid", layer.GetProperty("activation").GetString());
        JsonElement row = Assert.Single(layer.GetProperty("weights").EnumerateArray());
        Assert.Equal(["0.1", "0.33333334"], row.EnumerateArray().Select(v => v.GetRawText()));
        Assert.Equal(["-0"], layer.GetProperty("biases").EnumerateArray().Select(v => v.GetRawText()));
    }

    [Fact]
    public void ALargeModelReadsBackBitForBit()
    {
        // 300·200 + 200 + 200·10 + 10 parameters: far more text than one buffer of the JSON writer
        var spec = new NetworkSpec(300, [new LayerSpec(200, Activation.Relu), new LayerSpec(10, Activation.Identity)]);
        var random = new Random(5);
        float[] parameters = new float[spec.ParameterCount];
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)(random.NextDouble() * 2 - 1) * MathF.Pow(10, random.Next(-8, 4));
        }
        using var dir = new TempDirectory();

        ModelJson.Write(new FastNet.Model.Model(spec, parameters), dir.File("large.json"));

        float[] read = ModelJson.Read(dir.File("large.json")).Parameters;
        Assert.Equal(parameters.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }
}
