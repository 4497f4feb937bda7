using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>The divergence rule (<see cref="DivergenceGuard"/>) and the trainer that applies it within an epoch.</summary>
public class DivergenceGuardTests
{
    [Fact]
    public void ASingleCheckFarAboveTheStartIsForgivenButTwoInARowDiverge()
    {
        var guard = new DivergenceGuard();
        guard.SetReference(2);

        Assert.Null(guard.Observe(1.5));
        Assert.Null(guard.Observe(2001 * 2)); // a spike
        Assert.Null(guard.Observe(1.0)); // back down: the count starts again
        Assert.Null(guard.Observe(2001 * 2));
        string? reason = guard.Observe(1e9);

        Assert.NotNull(reason);
        Assert.Contains("more than 1000 times the 2", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ALossJustBelowTheFactorNeverDiverges()
    {
        var guard = new DivergenceGuard();
        guard.SetReference(2);

        for (int check = 0; check < 100; check++)
        {
            Assert.Null(guard.Observe(DivergenceGuard.Factor * 2));
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ANonFiniteLossDivergesAtOnceEvenWithAZeroReference(double loss)
    {
        var guard = new DivergenceGuard();
        guard.SetReference(0);

        Assert.Null(guard.Observe(1e30)); // no ratio to a zero reference
        Assert.NotNull(guard.Observe(loss));
    }

    [Fact]
    public void ChecksFallAboutTenTimesAnEpoch()
    {
        Assert.Equal(1, DivergenceGuard.WindowBatches(1));
        Assert.Equal(1, DivergenceGuard.WindowBatches(10));
        Assert.Equal(5, DivergenceGuard.WindowBatches(45));
        Assert.Equal(188, DivergenceGuard.WindowBatches(1875));
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    public void AHugeLearningRateStopsTrainingWithinTheFirstEpoch(OptimizerKind optimizer)
    {
        Dataset digits = EmbeddedDatasets.Digits();
        using IBackend backend = Backends.Create("reference");
        using var network = Network(backend, digits, optimizer, 1e6);
        var guard = new DivergenceGuard();
        using var trainer = new Trainer(network, digits, null, new TrainingOptions(5, 32, Shuffle: true, Seed: 1), guard);

        var e = Assert.Throws<TrainingDivergedException>(() => trainer.RunEpoch());

        Assert.Equal(1, e.Epoch);
        Assert.InRange(e.Batch, 1, trainer.BatchesPerEpoch - 1); // before the epoch's end
        Assert.InRange(guard.ReferenceLoss!.Value, 0.5, 50); // the untrained model's loss, not a blown-up one
    }

    [Fact]
    public void TheGuardChangesNothingInAnOrdinaryRun()
    {
        Dataset digits = EmbeddedDatasets.Digits();
        using IBackend backend = Backends.Create("simd");
        var options = new TrainingOptions(2, 32, Shuffle: true, Seed: 1);
        var reports = new List<EpochReport>[2];
        var parameters = new float[2][];
        for (int guarded = 0; guarded < 2; guarded++)
        {
            using var network = Network(backend, digits, OptimizerKind.Adam, 1e-3);
            using var trainer = new Trainer(network, digits, null, options, guarded == 1 ? new DivergenceGuard() : null);
            reports[guarded] = [];
            trainer.Run(reports[guarded].Add);
            parameters[guarded] = network.ToModel().Parameters;
        }

        Assert.Equal(parameters[0], parameters[1]); // measuring the starting loss trains nothing
        Assert.Equal(reports[0].Select(r => r.TrainLoss), reports[1].Select(r => r.TrainLoss));
    }

    private static TrainingNetwork Network(IBackend backend, Dataset data, OptimizerKind optimizer, double lr)
    {
        var spec = new NetworkSpec(data.FeatureCount,
            [new LayerSpec(64, Activation.Relu), new LayerSpec(data.TargetCount, Activation.Identity)]);
        Model.Model model = new Initializer(InitializerKind.Auto).Create(spec, new SeededRandom(1));
        return new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = optimizer, LearningRate = lr }.WithDefaults(), 32);
    }
}
