using FastNet.Kernels;
using FastNet.Model;
using Xunit;

namespace FastNet.Tests.ModelFiles;

public class ActivationNameTests
{
    [Theory]
    [InlineData("gelu", ActivationKind.Gelu, 0f)]
    [InlineData("GELU-tanh", ActivationKind.GeluTanh, 0f)]
    [InlineData("leaky-relu:0.2", ActivationKind.LeakyRelu, 0.2f)]
    [InlineData("leaky-relu", ActivationKind.LeakyRelu, 0.01f)]
    [InlineData(" leaky-relu:0 ", ActivationKind.LeakyRelu, 0f)]
    public void NewActivationNamesParseWithTheirSlope(string name, ActivationKind kind, float slope) =>
        Assert.Equal(new Activation(kind, slope), Names.ParseActivation(name));

    [Theory]
    [InlineData("leaky-relu:1")]
    [InlineData("leaky-relu:-0.1")]
    [InlineData("leaky-relu:x")]
    [InlineData("leaky-relu0.1")]
    public void ALeakySlopeOutsideZeroToOneIsAFormatError(string name)
    {
        var e = Assert.Throws<FormatException>(() => Names.ParseActivation(name));
        Assert.Contains("[0, 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryActivationNameParsesBackToTheSameActivation()
    {
        foreach (Activation activation in Activation.OneOfEachKind.Append(Activation.LeakyRelu(0.1f / 3)))
        {
            Assert.Equal(activation, Names.ParseActivation(Names.Of(activation)));
        }
        Assert.Equal("leaky-relu:0.01", Names.Of(Activation.LeakyRelu(0.01f)));
    }

    [Fact]
    public void TheModelFileKeepsActivationNamesAndTheLeakySlope()
    {
        var spec = new NetworkSpec(3, [new LayerSpec(4, Activation.LeakyRelu(0.2f)), new LayerSpec(5, Activation.Gelu),
            new LayerSpec(2, Activation.GeluTanh), new LayerSpec(1, Activation.Identity)]);
        var model = new Model.Model(spec, [.. Enumerable.Range(0, spec.ParameterCount).Select(i => i * 0.01f)]);
        string json = ModelJson.ToJson(model);
        Assert.Contains("\"leaky-relu:0.2\"", json, StringComparison.Ordinal);
        Assert.Contains("\"gelu\"", json, StringComparison.Ordinal);
        Assert.Contains("\"gelu-tanh\"", json, StringComparison.Ordinal);
        Model.Model read = ModelJson.Parse(json, "round trip");
        Assert.Equal(spec.Layers, read.Spec.Layers);
        Assert.Equal(model.Parameters, read.Parameters);
    }
}
