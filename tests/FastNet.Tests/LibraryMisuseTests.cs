using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests;

/// <summary>
/// The library refuses what would give wrong numbers or a file it cannot read back, naming the argument: a scaling of
/// another width, labels outside their classes (which one-hot encoding would set in a neighbouring row), indices past
/// a layer (which would reach another parameter), data of another shape, NaN or infinite values (which make every
/// parameter they reach NaN), a class-name list changed after it was checked, and a network or backend used after it
/// was disposed.
/// </summary>
public sealed class LibraryMisuseTests
{
    // 4 rows of 4 features, 3 classes
    private static Dataset Classes(IReadOnlyList<string>? names = null) =>
        new("rows", 4, [.. Enumerable.Range(0, 16).Select(i => (float)i)], 3, Dataset.OneHot([0, 1, 2, 0], 3), 3, [0, 1, 2, 0], names);

    [Fact]
    public void AScalingOfAnotherWidthIsRefusedBeforeItCanBeSaved()
    {
        var twoFeatures = new StandardizeScaling(new Standardizer(new float[2], [1f, 1f]));

        var e = Assert.Throws<ArgumentException>(() => Network.Create(Classes(), [8], scaling: twoFeatures, backend: "reference"));

        Assert.Contains("scaling", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassNamesAreTheListAsGivenNotTheCallersLaterEdits()
    {
        var names = new List<string> { "a", "b", "c" };
        Dataset set = Classes(names);

        names.Add("d");
        names[0] = "changed";

        Assert.Equal(["a", "b", "c"], set.ClassNames);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void ALabelOutsideItsClassesIsRefused(int label)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.OneHot([0, label], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Dataset("rows", 1, [0f, 1f], 3, [1, 0, 0, 0, 1, 0], 3, [0, label]));
    }

    [Fact]
    public void ANegativeClassCountIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset("rows", 1, [0f], 1, [1f], -1));

    [Fact]
    public void AnIndexPastALayerIsRefusedNotTakenAsAnotherParameter()
    {
        var spec = new NetworkSpec(2, [new LayerSpec(2, Activation.Tanh), new LayerSpec(1, Activation.Identity)]);
        var model = new Model.Model(spec, new float[spec.ParameterCount]);

        Assert.Throws<ArgumentOutOfRangeException>(() => model.Bias(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Weight(0, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Weight(0, 1, 2));
        model.Weight(0, 1, 1) = 5;
        Assert.Equal(1, model.Parameters.Count(p => p == 5));
    }

    [Fact]
    public void EvaluatingDataOfAnotherShapeOrTargetsThatAreNotProbabilitiesIsRefused()
    {
        using var network = Network.Create(Classes(), [8], backend: "reference");
        var wide = new Dataset("wide", 5, new float[10], 3, Dataset.OneHot([0, 1], 3), 3, [0, 1]);
        var negative = new Dataset("negative", 4, new float[8], 3, [-5, 0, 0, 0, 0, -5]);

        Assert.Equal("data", Assert.Throws<ArgumentException>(() => network.Evaluate(wide)).ParamName);
        Assert.StartsWith("cross-entropy: example 1 of negative has the negative target -5",
            Assert.Throws<ArgumentException>(() => network.Evaluate(negative)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABatchOfNoRowsAndAnEmptySetAreNamedAsSuch()
    {
        using var network = Network.Create(Classes(), [8], backend: "reference");
        var empty = new Dataset("empty", 4, Array.Empty<float>(), 3, [], 3, []);

        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => network.Train(Classes(), 1, batchSize: 0)).ParamName);
        Assert.StartsWith("empty: no training examples", Assert.Throws<ArgumentException>(() => network.Train(empty, 1)).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void RowsThatDoNotDivideAreRefusedNotDroppedOrDividedByZero()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Inference.Softmax([1f, 2f], 0));
        Assert.Throws<ArgumentException>(() => Inference.Softmax([1f, 2f, 3f], 2));
        Assert.Throws<ArgumentException>(() => Inference.ArgMax([1f, 2f, 3f], 2));
        Assert.Throws<ArgumentException>(() => new NetworkSpec(2, [null!]));
    }

    [Fact]
    public void OutputsPastOneArrayAreRefusedByTheirCount()
    {
        // 32,769 rows of 65,536 outputs: 2^31 + 2^16 values, which an int product wrapped to a negative length
        var wide = new NetworkSpec(1, [new LayerSpec(65_536, Activation.Identity)]);
        var model = new Model.Model(wide, new float[wide.ParameterCount]);
        using IBackend backend = Backends.Create("reference");

        var e = Assert.Throws<ArgumentException>(() => Inference.Outputs(backend, model, new float[32_769]));

        Assert.StartsWith("the outputs of 32,769 rows of 65,536 outputs are 2,147,549,184 values, more than one array holds",
            e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteFeaturesAndTargetsAreRefusedNamingTheirExampleAndLeaveTheModelAsItWas(float value)
    {
        using var network = Network.Create(Classes(), [8], backend: "reference");
        float[] before = [.. network.Model.Parameters];
        float[] features = [.. Classes().Features];
        features[(2 * 4) + 3] = value;
        var badFeature = new Dataset("rows", 4, features, 3, Dataset.OneHot([0, 1, 2, 0], 3), 3, [0, 1, 2, 0]);
        float[] targets = [.. Classes().Targets];
        targets[(3 * 3) + 1] = value;
        var badTarget = new Dataset("rows", 4, Classes().Features, 3, targets);

        var train = Assert.Throws<ArgumentException>(() => network.Train(badFeature, 1));
        var evaluate = Assert.Throws<ArgumentException>(() => network.Evaluate(badFeature));
        var predict = Assert.Throws<ArgumentException>(() => network.Predict(features));
        var target = Assert.Throws<ArgumentException>(() => network.Train(badTarget, 1));

        Assert.StartsWith($"rows: example 2, feature 3 is {value}: expected finite numbers", train.Message, StringComparison.Ordinal);
        Assert.StartsWith($"rows: example 2, feature 3 is {value}", evaluate.Message, StringComparison.Ordinal);
        Assert.StartsWith($"the features: example 2, feature 3 is {value}", predict.Message, StringComparison.Ordinal);
        Assert.StartsWith($"rows: example 3, target 1 is {value}", target.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Model.Parameters);
    }

    [Theory]
    [InlineData("reference")]
    [InlineData("simd")]
    public void ADisposedNetworkRefusesWorkButKeepsItsModel(string backend)
    {
        var network = Network.Create(Classes(), [8], backend: backend);
        network.Train(Classes(), 1);
        float[] trained = [.. network.Model.Parameters];
        network.Dispose();

        Assert.Throws<ObjectDisposedException>(() => network.Train(Classes(), 1));
        Assert.Throws<ObjectDisposedException>(() => network.Evaluate(Classes()));
        Assert.Throws<ObjectDisposedException>(() => network.Predict(new float[4]));
        Assert.Equal(trained, network.Model.Parameters);
        network.Dispose(); // a second Dispose does nothing
    }

    [Theory]
    [InlineData("reference")]
    [InlineData("simd")]
    public void ADisposedCpuBackendAllocatesNothing(string name)
    {
        IBackend backend = Backends.Create(name);
        backend.Dispose();

        Assert.Throws<ObjectDisposedException>(() => backend.Allocate(10));
        Assert.Throws<ObjectDisposedException>(() => backend.AllocateIndices(10));
    }
}
