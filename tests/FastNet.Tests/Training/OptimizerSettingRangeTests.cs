using FastNet.Kernels;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// Settings that would make every step NaN or Infinity are refused by their option's name, before a run starts and
/// then stops as diverged blaming the learning rate: an ε of 0 (or below float's normal range) divides 0 by 0 for a
/// parameter whose gradients have all been 0, and a value past float's range is Infinity in the kernels.
/// </summary>
public class OptimizerSettingRangeTests
{
    public static TheoryData<OptimizerSettings, string> Refused() => new()
    {
        { new() { Kind = OptimizerKind.Adam, Epsilon = 0 }, "--eps" },
        { new() { Kind = OptimizerKind.Adagrad, Epsilon = 1e-40 }, "--eps" },
        { new() { Kind = OptimizerKind.RmsProp, Epsilon = 1e39 }, "--eps" },
        { new() { Kind = OptimizerKind.Sgd, LearningRate = 1e39 }, "--lr" },
        { new() { Kind = OptimizerKind.Sgd, WeightDecay = 1e39 }, "--weight-decay" },
        { new() { Kind = OptimizerKind.Lars, TrustCoefficient = 1e39 }, "--trust-coefficient" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void ASettingThatMakesTheStepsNaNOrInfiniteIsRefusedByItsOption(OptimizerSettings settings, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => settings.WithDefaults());

        Assert.StartsWith($"{option}: expected ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSmallestNormalFloatIsAnEpsilonAndTheLargestFloatsAreRates()
    {
        const float smallestNormal = 1.17549435E-38f;
        Assert.Equal(smallestNormal, new OptimizerSettings { Kind = OptimizerKind.Adam, Epsilon = smallestNormal }
            .WithDefaults().Epsilon);
        Assert.Equal(float.MaxValue, new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = float.MaxValue }
            .WithDefaults().LearningRate);
    }
}
