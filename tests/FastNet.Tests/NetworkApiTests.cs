using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests;

/// <summary>The library's one-type API does what the command line does, and leaves the caller's data as it was.</summary>
public class NetworkApiTests
{
    private static TrainTestSplit Digits() => DataSplitter.Split(EmbeddedDatasets.Digits(), 0.2, seed: 1);

    [Fact]
    public void TrainingLeavesTheCallersFeaturesUnscaledAndLearnsTheDigits()
    {
        TrainTestSplit split = Digits();
        float[] before = [.. split.Train.Features];
        using var network = Network.Create(split.Train, [32], scaling: new DivideScaling(16), backend: "simd");

        IReadOnlyList<EpochReport> reports = network.Train(split.Train, epochs: 10);

        Assert.Equal(before, split.Train.Features);
        Assert.Equal(10, reports.Count);
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss);
        Assert.True(network.Evaluate(split.Test!).Accuracy > 0.9);
    }

    [Fact]
    public void ASavedNetworkLoadsAsAModelFileWithItsPreprocessingAndPredictsTheSame()
    {
        TrainTestSplit split = Digits();
        using var network = Network.Create(split.Train, [16], scaling: new DivideScaling(16), backend: "reference");
        network.Train(split.Train, epochs: 2);
        using var dir = new TempDirectory();

        network.Save(dir.File("m.json"));
        using var loaded = Network.Load(dir.File("m.json"), backend: "reference");

        ModelMetadata metadata = ModelJson.Read(dir.File("m.json")).Metadata;
        Assert.Equal(new DivideScaling(16), metadata.Scaling);
        Assert.Equal(LossKind.SoftmaxCrossEntropy, metadata.Loss);
        Assert.Equal(10, metadata.ClassNames!.Count);
        float[] probabilities = loaded.Predict(split.Test!.Features);
        Assert.Equal(network.Predict(split.Test.Features), probabilities);
        Assert.All(Enumerable.Range(0, split.Test.Count), r => Assert.Equal(1.0, probabilities.AsSpan(r * 10, 10).ToArray().Sum(), 5));
        Assert.Equal(network.Evaluate(split.Test), loaded.Evaluate(split.Test));
    }

    [Fact]
    public void ARegressionNetworkPredictsItsOutputsWithMeanSquaredError()
    {
        float[] x = [.. Enumerable.Range(0, 200).Select(i => i / 100f - 1)];
        var data = new Dataset("line", 1, x, 1, [.. x.Select(v => 3 * v - 2)]);
        using var network = Network.Create(data, [], backend: "reference");

        network.Train(data, epochs: 200, batchSize: 20, optimizer: new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.1 });

        Assert.Equal(LossKind.MeanSquaredError, network.Loss);
        float[] predicted = network.Predict([0.5f, -0.25f]);
        Assert.Equal(-0.5, predicted[0], 2);
        Assert.Equal(-2.75, predicted[1], 2);
    }

    [Fact]
    public void ANetworkForNamedClassesSavesTheirNames()
    {
        int[] labels = [0, 1, 1, 0];
        var data = new Dataset("pets", 2, [0f, 1, 1, 0, 1, 1, 0, 0], 2, Dataset.OneHot(labels, 2), 2, labels, ["cat", "dog"]);
        using var network = Network.Create(data, [], backend: "reference");
        using var dir = new TempDirectory();

        network.Save(dir.File("m.json"));

        Assert.Equal(["cat", "dog"], ModelJson.Read(dir.File("m.json")).Metadata.ClassNames);
    }
}
