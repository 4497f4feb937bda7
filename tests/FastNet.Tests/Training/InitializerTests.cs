using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary><c>--initializer</c>'s text: the forms it names, and a uniform range that draws usable weights.</summary>
public sealed class InitializerTests
{
    [Theory]
    [InlineData("uniform:0.25", 0.25)]
    [InlineData("Uniform:1e-3", 0.001)]
    [InlineData(" uniform ", 0.5)]
    public void AUniformRangeIsRead(string text, double range) =>
        Assert.Equal(new Initializer(InitializerKind.Uniform, range), Initializer.Parse(text));

    // a range beyond float drew NaN or infinite weights, and the run stopped as diverged, blaming --lr
    [Theory]
    [InlineData("uniform:Infinity")]
    [InlineData("uniform:1e400")]
    [InlineData("uniform:1e39")]
    [InlineData("uniform:NaN")]
    [InlineData("uniform:0")]
    [InlineData("uniform:-1")]
    public void ARangeThatDrawsNoUsableWeightsIsRefused(string text)
    {
        var e = Assert.Throws<FormatException>(() => Initializer.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("uniform:R with a finite R > 0", e.Message, StringComparison.Ordinal);
    }
}
