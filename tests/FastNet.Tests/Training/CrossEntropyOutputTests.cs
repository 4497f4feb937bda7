using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>Cross-entropy applies softmax to the output layer itself, so it trains only a network whose output
/// activation is identity: one rule (<see cref="NetworkSpec.LossMismatch"/>) that training, model files and checkpoints
/// all refuse by.</summary>
public class CrossEntropyOutputTests
{
    private static NetworkSpec Spec(Activation output) => new(4, [new LayerSpec(3, Activation.Tanh), new LayerSpec(2, output)]);

    [Fact]
    public void OnlyCrossEntropyOnANonIdentityOutputIsAMismatch()
    {
        Assert.Null(Spec(Activation.Identity).LossMismatch(LossKind.SoftmaxCrossEntropy));
        Assert.Null(Spec(Activation.Sigmoid).LossMismatch(LossKind.HalfSquaredError));
        Assert.Equal("cross-entropy applies softmax to the output layer itself: its activation must be identity, not sigmoid",
            Spec(Activation.Sigmoid).LossMismatch(LossKind.SoftmaxCrossEntropy));
    }

    [Fact]
    public void TrainingRefusesIt()
    {
        using IBackend backend = Backends.Create("reference");
        Model.Model model = new Initializer(InitializerKind.Auto).Create(Spec(Activation.Sigmoid), new SeededRandom(1));
        var e = Assert.Throws<ArgumentException>(() => new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = OptimizerKind.Sgd }.WithDefaults(), 1));
        Assert.Equal(Spec(Activation.Sigmoid).LossMismatch(LossKind.SoftmaxCrossEntropy), e.Message);
    }

    // softmax(z) − t is the gradient of −Σ t·log softmax(z) only where Σ t = 1: the trainer refuses other targets,
    // for the library's callers as for the command line's
    [Theory]
    [InlineData(new[] { 0.9f, 0.3f, 0.5f, 0.5f }, "example 1 of soft sums to 1.19999999")]
    [InlineData(new[] { 0.5f, 0.5f, 1.25f, -0.25f }, "example 2 of soft has the negative target -0.25")]
    public void TheTrainerRefusesTargetsThatAreNotProbabilities(float[] targets, string problem)
    {
        using IBackend backend = Backends.Create("reference");
        Model.Model model = new Initializer(InitializerKind.Auto).Create(Spec(Activation.Identity), new SeededRandom(1));
        using var network = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = OptimizerKind.Sgd }.WithDefaults(), 2);
        var soft = new FastNet.Data.Dataset("soft", 4, [1, 2, 3, 4, 5, 6, 7, 8], 2, targets);

        var e = Assert.Throws<ArgumentException>(() => new Trainer(network, soft, null, new TrainingOptions(1, 2, false, 1)));

        Assert.Equal($"cross-entropy: {problem}; cross-entropy takes targets that are probabilities (each row at least 0 "
            + "and summing to 1): normalize them, or train with mean squared error", e.Message);
        using var trainer = new Trainer(network, new FastNet.Data.Dataset("soft", 4, [1, 2, 3, 4, 5, 6, 7, 8], 2,
            [0.7f, 0.3f, 0.1f, 0.9f]), null, new TrainingOptions(1, 2, false, 1));
    }
}
