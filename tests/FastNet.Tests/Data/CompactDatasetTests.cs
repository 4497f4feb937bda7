using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Data;

/// <summary>
/// A compact set (byte features scaled as rows are read) gives exactly the floats, batches, checksums and training
/// results of the same bytes held as floats and scaled in place, for every scaling and on every backend.
/// </summary>
public sealed class CompactDatasetTests
{
    // awkward sizes: 37 rows of 17 features, so no row is a whole number of vectors
    private const int Rows = 37, Features = 17, Classes = 3;

    private static byte[] Bytes()
    {
        var random = new SeededRandom(11);
        byte[] bytes = [.. Enumerable.Range(0, Rows * Features).Select(_ => (byte)random.NextInt(256))];
        bytes[0] = 0;
        bytes[1] = 255;
        return bytes;
    }

    // the two forms of the same data: floats (as the loader made them before) and compact bytes
    private static (Dataset Floats, Dataset Compact) Both()
    {
        byte[] bytes = Bytes();
        int[] labels = [.. Enumerable.Range(0, Rows).Select(r => r % Classes)];
        float[] targets = Dataset.OneHot(labels, Classes);
        var floats = new Dataset("floats", Features, [.. bytes.Select(b => (float)b)], Classes, targets, Classes, labels);
        var compact = new Dataset("compact", Features, bytes, Classes, [.. targets], Classes, [.. labels]);
        return (floats, compact);
    }

    public static TheoryData<string> Scalings() => ["none", "divide", "standardize", "divide by 7"];

    private static InputScaling Scaling(string name, Dataset train) => name switch
    {
        "none" => InputScaling.None,
        "divide" => new DivideScaling(255),
        "divide by 7" => new DivideScaling(7),
        _ => new StandardizeScaling(Standardizer.Fit(train)),
    };

    private static (Dataset Floats, Dataset Compact) Scaled(string scaling)
    {
        (Dataset floats, Dataset compact) = Both();
        floats.Scale(Scaling(scaling, floats));
        compact.Scale(Scaling(scaling, compact));
        return (floats, compact);
    }

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];

    [Theory]
    [MemberData(nameof(Scalings))]
    public void CompactRowsAreTheFloatsScaledInPlace(string scaling)
    {
        (Dataset floats, Dataset compact) = Scaled(scaling);
        Assert.True(compact.IsCompact);
        Assert.Equal(1, compact.BytesPerFeature);

        float[] rows = new float[Rows * Features];
        compact.CopyFeatures(0, Rows, rows);
        Assert.Equal(Bits(floats.Features), Bits(rows));
        int[] order = [36, 0, 5, 5, 17, 1];
        float[] gathered = new float[order.Length * Features], expected = new float[order.Length * Features];
        compact.GatherFeatures(order, gathered);
        floats.GatherFeatures(order, expected);
        Assert.Equal(Bits(expected), Bits(gathered));
        Assert.Equal(Bits(floats.Features), Bits(compact.Features));
        Assert.Equal(DatasetChecksum.Sha256(floats), DatasetChecksum.Sha256(compact));
    }

    // eval's predictions read a compact set a chunk at a time: the same outputs as from its floats, without holding
    // the set as floats (4 MB here; the rest of the call is a chunk's buffers, the outputs and a 500-3 network)
    [Fact]
    public void OutputsOfACompactSetAreThoseOfItsFloatsWithoutHoldingThemWhole()
    {
        const int rows = 2000, features = 500;
        var random = new SeededRandom(5);
        byte[] bytes = [.. Enumerable.Range(0, rows * features).Select(_ => (byte)random.NextInt(256))];
        var compact = new Dataset("compact", features, bytes, 1, new float[rows]);
        compact.Scale(new DivideScaling(255));
        float[] floats = [.. bytes.Select(b => b / 255f)];
        var spec = new NetworkSpec(features, [new LayerSpec(3, Activation.Identity)]);
        Model.Model model = new Initializer(InitializerKind.Auto).Create(spec, new SeededRandom(2));
        using IBackend backend = Backends.Create("reference");
        float[] expected = Inference.Outputs(backend, model, floats, chunk: 8);

        long before = GC.GetAllocatedBytesForCurrentThread();
        float[] outputs = Inference.Outputs(backend, model, compact, chunk: 8);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Bits(expected), Bits(outputs));
        Assert.InRange(allocated, 0, 1 << 20);
    }

    [Fact]
    public void StandardizerFitsTheSameStatisticsOnBothForms()
    {
        (Dataset floats, Dataset compact) = Both();
        Standardizer a = Standardizer.Fit(floats), b = Standardizer.Fit(compact);
        Assert.Equal(Bits([.. a.Mean]), Bits([.. b.Mean]));
        Assert.Equal(Bits([.. a.Scale]), Bits([.. b.Scale]));
    }

    [Fact]
    public void SubsetsAndRenamesStayCompactWithTheirScaling()
    {
        (Dataset floats, Dataset compact) = Scaled("divide");
        Dataset part = compact.Subset([3, 1, 4], "part").WithName("renamed");
        Assert.True(part.IsCompact);
        Assert.Equal("renamed", part.Name);
        Assert.Equal(compact.Scaling, part.Scaling);
        Assert.Equal(Bits(floats.Subset([3, 1, 4], "f").Features), Bits(part.Features));
        Assert.Equal([0, 1, 1], part.Labels!);
        Assert.Throws<InvalidOperationException>(() => compact.Scale(new DivideScaling(2)));
        Assert.Throws<ArgumentException>(() => Both().Compact.Scale(new StandardizeScaling(new Standardizer([0f], [1f]))));
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void BatchesAndEvaluationRowsAreTheSameFloatsOnEveryBackend(string backendName)
    {
        using IBackend backend = Backends.Create(backendName);
        foreach (string scaling in Scalings())
        {
            (Dataset floats, Dataset compact) = Scaled(scaling);
            using var floatDevice = new DeviceDataset(backend, floats);
            using var compactDevice = new DeviceDataset(backend, compact);
            Assert.False(floatDevice.IsCompact);
            Assert.True(compactDevice.IsCompact);
            Assert.Throws<InvalidOperationException>(() => compactDevice.Features);
            using var floatBatches = new BatchSource(backend, floatDevice, maxBatch: 5);
            using var compactBatches = new BatchSource(backend, compactDevice, maxBatch: 5);
            int[] order = [.. Enumerable.Range(0, Rows).Reverse()];
            (order[3], order[30]) = (order[30], order[3]);
            floatBatches.SetOrder(order);
            compactBatches.SetOrder(order);
            foreach ((int first, int rows) in new[] { (0, 5), (5, 1), (6, 3), (36, 1), (32, 5) })
            {
                (BufferView x, BufferView t) = floatBatches.Take(first, rows);
                float[] expectedX = Download(backend, x), expectedT = Download(backend, t);
                (x, t) = compactBatches.Take(first, rows);
                Assert.Equal(Bits(expectedX), Bits(Download(backend, x)));
                Assert.Equal(Bits(expectedT), Bits(Download(backend, t)));
            }
            foreach ((int first, int rows) in new[] { (0, 5), (35, 2), (7, 1), (0, Rows) })
            {
                Assert.Equal(Bits(Download(backend, floatDevice.Rows(first, rows))),
                    Bits(Download(backend, compactDevice.Rows(first, rows))));
            }
        }
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void TrainingOnTheCompactSetEndsWithTheSameParametersAndScores(string backendName)
    {
        using IBackend backend = Backends.Create(backendName);
        (Dataset floats, Dataset compact) = Scaled("divide");
        (Dataset floatTest, Dataset compactTest) = Scaled("divide");
        (float[] Parameters, EpochReport Report) Train(Dataset train, Dataset test)
        {
            var spec = new NetworkSpec(Features, [new LayerSpec(9, Activation.Relu), new LayerSpec(Classes, Activation.Identity)]);
            Model.Model model = new Initializer(InitializerKind.He).Create(spec, new SeededRandom(3));
            using var network = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy,
                new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.01f }, 4);
            using var trainer = new Trainer(network, train, test, new TrainingOptions(2, 4, Shuffle: true, Seed: 7));
            var reports = new List<EpochReport>();
            trainer.Run(reports.Add);
            return (network.ToModel().Parameters, reports[^1]);
        }

        (float[] expected, EpochReport expectedReport) = Train(floats, floatTest);
        (float[] actual, EpochReport report) = Train(compact, compactTest);
        Assert.Equal(Bits(expected), Bits(actual));
        Assert.Equal(expectedReport with { Seconds = 0 }, report with { Seconds = 0 });
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void TakingCompactBatchesAllocatesNothing(string backendName)
    {
        using IBackend backend = Backends.Create(backendName);
        foreach (string scaling in Scalings())
        {
            Dataset compact = Scaled(scaling).Compact;
            using var device = new DeviceDataset(backend, compact);
            using var batches = new BatchSource(backend, device, maxBatch: 5);
            batches.SetOrder([.. Enumerable.Range(0, Rows)]);
            for (int first = 0; first + 5 <= Rows; first += 5)
            {
                batches.Take(first, 5);
                batches.Take(first, 1);
            }
            // the calling thread's count: other tests run on other threads meanwhile
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int first = 0; first + 5 <= Rows; first += 5)
            {
                batches.Take(first, 5);
                batches.Take(first, 1);
            }
            backend.Synchronize();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void TheNetworkApiTrainsTheSameOnACompactSetAndLeavesItUnscaled()
    {
        (Dataset floats, Dataset compact) = Both();
        (float[] Parameters, double Loss) Train(Dataset data)
        {
            using var network = Network.Create(data, [5], scaling: new DivideScaling(255), backend: "reference");
            network.Train(data, epochs: 2, batchSize: 4);
            return (network.Model.Parameters, network.Evaluate(data).Loss);
        }

        (float[] expected, double expectedLoss) = Train(floats);
        (float[] actual, double loss) = Train(compact);
        Assert.Equal(Bits(expected), Bits(actual));
        Assert.Equal(expectedLoss, loss);
        Assert.Equal(InputScaling.None, compact.Scaling);
        Assert.Equal(255f, compact.Features[1]);
    }

    private static float[] Download(IBackend backend, BufferView view)
    {
        float[] values = new float[view.Length];
        backend.Download(view, values);
        return values;
    }
}
