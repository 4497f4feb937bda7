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
}
