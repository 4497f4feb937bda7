using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;
using Accumulation = FastNet.Tests.Training.GradientAccumulationTests;

namespace FastNet.Tests.Distributed;

/// <summary>
/// The per-layer all-reduce (<see cref="GradientAllReduce.Layers"/>) against the flat one on in-process ranks: each
/// element of the gradient is the same weighted sum of the same per-rank terms either way, only cut into other
/// messages, so whole runs (shuffled epochs, the last batch short, a rank with no rows, gradient accumulation, dropout,
/// layer-wise optimizers, fixed biases) end with the same parameters, optimizer state and losses, bit for bit. Its
/// steps against one process at the global batch are checked by <see cref="DataParallelTests"/>' lockstep test.
/// </summary>
public class LayerBucketsTests
{
    // 4-6-5-3: an output layer, a hidden layer between two others, an input layer
    internal static readonly NetworkSpec Spec = new(4,
        [new LayerSpec(6, Activation.Tanh), new LayerSpec(5, Activation.Relu), new LayerSpec(3, Activation.Identity)]);

    public static TheoryData<string, OptimizerKind, int, int, int, bool, double> Cases() => new()
    {
        // backend, optimizer, ranks, batch, K, trained biases, dropout
        { "simd", OptimizerKind.Sgd, 2, 4, 1, true, 0 },
        { "simd", OptimizerKind.Adam, 3, 4, 1, true, 0.25 }, // batches of 4 over 3 ranks: 2 + 2 + 0
        { "simd", OptimizerKind.Lars, 2, 8, 4, true, 0 }, // 4 rows a rank as 2 micro-batches of 2
        { "simd", OptimizerKind.Lamb, 3, 8, 2, true, 0.3 },
        { "reference", OptimizerKind.Momentum, 3, 4, 1, false, 0 }, // only the weights travel
        { "reference", OptimizerKind.Nadam, 2, 8, 2, true, 0.2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LayerAllReducesGiveTheFlatAllReducesRunBitForBit(string backendName, OptimizerKind kind, int ranks, int batch,
        int accumulate, bool trainBiases, double dropout)
    {
        Dataset data = Accumulation.Blobs(11);
        var options = new TrainingOptions(3, batch, Shuffle: true, Seed: 7)
        {
            Accumulate = accumulate,
            Dropout = dropout > 0 ? [dropout, dropout] : null,
        };
        Run[] Train(GradientAllReduce allReduce) => InProcessCommunicator.Run(ranks, communicator =>
        {
            var counting = new CountingCommunicator(communicator);
            using IBackend backend = Backends.Create(backendName);
            Model.Model initial = new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(13));
            using var network = new TrainingNetwork(backend, initial, LossKind.SoftmaxCrossEntropy, Accumulation.Settings(kind),
                options.MicroBatchSizeOn(ranks), trainBiases, accumulates: true, options.DropoutRates);
            using var trainer = new Trainer(network, data, data, options, new DivergenceGuard(), counting, allReduce);
            var losses = new List<double>();
            Assert.True(trainer.Run(report => losses.AddRange([report.TrainLoss, report.TrainAccuracy, report.EvalLoss])));
            int steps = trainer.BatchesPerEpoch * options.Epochs;
            return new Run([.. network.ToModel().Parameters, .. network.DownloadOptimizerState()], [.. losses], counting.Started,
                steps);
        });
        Run[] flat = Train(GradientAllReduce.Flat), layers = Train(GradientAllReduce.Layers);
        foreach (Run run in flat.Concat(layers))
        {
            Assert.Equal(Bits(flat[0].State), Bits(run.State));
            Assert.Equal(flat[0].Losses, run.Losses);
        }
        Assert.All(flat, run => Assert.Equal(0, run.Started));
        Assert.All(layers, run => Assert.Equal(run.Steps * Spec.Layers.Count, run.Started)); // one all-reduce a layer a step
        Assert.All(flat[0].Losses, l => Assert.True(double.IsFinite(l)));
    }

    [Fact]
    public void StartedAllReducesSumInRankOrderWhateverOrderTheyAreWaitedIn()
    {
        // 1e8 + 1 − 1e8 depends on the order: (1e8 + 1) + (−1e8) = 0 in float32, while 1 + (1e8 − 1e8) = 1. Two
        // all-reduces in flight at once, a blocking one between them, waited for last one first.
        float[][] sums = InProcessCommunicator.Run<float[]>(3, communicator =>
        {
            float mine = communicator.Rank switch { 0 => 1e8f, 1 => 1f, _ => -1e8f };
            float[] first = [mine, communicator.Rank], second = [2 * mine], blocking = [1];
            IAllReduceRequest a = communicator.StartAllReduceSum(first);
            communicator.AllReduceSum(blocking);
            IAllReduceRequest b = communicator.StartAllReduceSum(second);
            b.Wait();
            a.Wait();
            Assert.True(a.Test() && b.Test());
            return [.. first, .. second, .. blocking];
        });
        Assert.All(sums, s => Assert.Equal([0f, 3f, 0f, 3f], s));
    }

    [Fact]
    public void ARankWaitingForAStartedAllReduceIsReleasedWhenAnotherRankFails()
    {
        var e = Assert.Throws<InvalidOperationException>(() => InProcessCommunicator.Run(2, communicator =>
        {
            if (communicator.Rank == 1)
            {
                throw new InvalidOperationException("rank 1 failed before its all-reduce");
            }
            communicator.StartAllReduceSum(new float[3]).Wait();
            return 0;
        }));
        Assert.Equal("rank 1 failed before its all-reduce", e.Message);
    }

    [Fact]
    public void TheModeIsReadFromItsName()
    {
        Assert.Equal(GradientAllReduce.Layers, GradientAllReduceNames.Parse(" Layers "));
        Assert.Equal("flat", GradientAllReduceNames.Of(GradientAllReduceNames.Parse("flat")));
        var e = Assert.Throws<FormatException>(() => GradientAllReduceNames.Parse("buckets"));
        Assert.StartsWith("--allreduce: unknown mode 'buckets'; expected flat", e.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<int> Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits);

    private sealed record Run(float[] State, double[] Losses, int Started, int Steps);
}
