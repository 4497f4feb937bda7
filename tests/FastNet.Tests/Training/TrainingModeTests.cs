using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>Per-example, mini-batch and full-batch training are one mechanism at three batch sizes.</summary>
public class TrainingModeTests
{
    private static readonly NetworkSpec Spec = new(4, [new LayerSpec(6, Activation.Tanh), new LayerSpec(3, Activation.Identity)]);

    private static Dataset Blobs(int count)
    {
        var random = new SeededRandom(3);
        int[] labels = [.. Enumerable.Range(0, count).Select(i => i % 3)];
        float[] features = [.. Enumerable.Range(0, count * 4).Select(i => (float)(labels[i / 4] + random.NextDouble(-0.5, 0.5)))];
        return new Dataset("blobs", 4, features, 3, Dataset.OneHot(labels, 3), 3, labels);
    }

    private static Model.Model Initial() => new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(11));

    private static readonly OptimizerSettings Sgd = new() { Kind = OptimizerKind.Sgd, LearningRate = 0.05 };

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void PerExampleSgdIsMiniBatchOfOne(string backendName)
    {
        Dataset data = Blobs(9);
        using IBackend backend = Backends.Create(backendName);

        // Per-example SGD as the seeds write it: for each example d in order, w ← w − η·∇E_d.
        using var byHand = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, Sgd, 1);
        using var device = new DeviceDataset(backend, data);
        for (int d = 0; d < data.Count; d++)
        {
            byHand.TrainBatch(device.Features.Slice(d * 4, 4), device.Targets.Slice(d * 3, 3), 1);
        }

        using var network = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, Sgd, 1);
        using var trainer = new Trainer(network, data, null, new TrainingOptions(1, 1, Shuffle: false, Seed: 1));
        trainer.RunEpoch();

        Assert.Equal(byHand.ToModel().Parameters, network.ToModel().Parameters);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void FusedPerExampleStepEqualsGradientsThenStep(string backendName)
    {
        // TrainBatch fuses per-example SGD into the backward pass; ComputeGradients + Step is the unfused definition
        Dataset data = Blobs(7);
        using IBackend backend = Backends.Create(backendName);
        using var device = new DeviceDataset(backend, data);
        foreach (bool trainBiases in new[] { true, false })
        {
            OptimizerSettings decayed = Sgd with { WeightDecay = 0.01 };
            using var fused = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, decayed, 1, trainBiases);
            using var unfused = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, decayed, 1, trainBiases);
            for (int d = 0; d < data.Count; d++)
            {
                BufferView x = device.Features.Slice(d * 4, 4), t = device.Targets.Slice(d * 3, 3);
                fused.TrainBatch(x, t, 1);
                unfused.ComputeGradients(x, t, 1);
                unfused.Step();
            }
            AssertTrainedAlike(fused, unfused, trainBiases);
        }
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void FusedBatchSgdStepEqualsGradientsThenStep(string backendName)
    {
        // on host memory TrainBatch takes a batch's SGD step layer by layer inside the backward pass; ComputeGradients
        // + Step is the unfused definition, with or without trained biases, weight decay and dropout
        Dataset data = Blobs(10);
        using IBackend backend = Backends.Create(backendName);
        using var device = new DeviceDataset(backend, data);
        foreach ((bool trainBiases, DropoutRates? dropout) in new[] { (true, null), (false, null), (true, new DropoutRates([0.5], 5)) })
        {
            OptimizerSettings decayed = Sgd with { WeightDecay = 0.01 };
            using var fused = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, decayed, 5, trainBiases,
                dropout: dropout);
            using var unfused = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, decayed, 5, trainBiases,
                dropout: dropout);
            for (int step = 0; step < 6; step++)
            {
                int first = step % 2 * 5, rows = step < 4 ? 5 : 3;
                BufferView x = device.Features.Slice(first * 4, rows * 4), t = device.Targets.Slice(first * 3, rows * 3);
                fused.TrainBatch(x, t, rows);
                unfused.ComputeGradients(x, t, rows);
                unfused.Step();
            }
            AssertTrainedAlike(fused, unfused, trainBiases);
        }
    }

    // the fused network took the unfused one's steps bit for bit: its parameters, metrics and step count; the weights
    // moved, and untrained biases did not
    private static void AssertTrainedAlike(TrainingNetwork fused, TrainingNetwork unfused, bool trainBiases)
    {
        float[] expected = unfused.ToModel().Parameters, actual = fused.ToModel().Parameters;
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(Initial().Parameters[..Spec.WeightCount], actual[..Spec.WeightCount]);
        if (!trainBiases)
        {
            Assert.Equal(Initial().Parameters[Spec.WeightCount..], actual[Spec.WeightCount..]);
        }
        Assert.Equal(unfused.TakeMetrics(), fused.TakeMetrics());
        Assert.Equal(unfused.Optimizer.Steps, fused.Optimizer.Steps);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void FullBatchStepUsesTheMeanOfThePerExampleGradients(string backendName)
    {
        Dataset data = Blobs(12);
        using IBackend backend = Backends.Create(backendName);
        using var device = new DeviceDataset(backend, data);

        using var single = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, Sgd, 1);
        double[] mean = new double[Spec.ParameterCount];
        float[] gradient = new float[Spec.ParameterCount];
        for (int d = 0; d < data.Count; d++)
        {
            single.ComputeGradients(device.Features.Slice(d * 4, 4), device.Targets.Slice(d * 3, 3), 1);
            backend.Download(single.Gradients, gradient);
            for (int p = 0; p < gradient.Length; p++)
            {
                mean[p] += (double)gradient[p] / data.Count;
            }
        }

        using var full = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, Sgd, data.Count);
        full.ComputeGradients(device.Features.All, device.Targets.All, data.Count);
        backend.Download(full.Gradients, gradient);

        double scale = mean.Sum(Math.Abs);
        for (int p = 0; p < gradient.Length; p++)
        {
            Assert.True(Tolerance.Within(gradient[p], mean[p], data.Count * 6, scale),
                $"parameter {p}: full batch {gradient[p]:G9}, mean of per-example {mean[p]:G9}");
        }
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void FullBatchEpochIsOneStepOnAllExamples(string backendName)
    {
        Dataset data = Blobs(10);
        using IBackend backend = Backends.Create(backendName);
        using var device = new DeviceDataset(backend, data);

        using var oneStep = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, Sgd, data.Count);
        oneStep.TrainBatch(device.Features.All, device.Targets.All, data.Count);

        using var network = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy, Sgd, data.Count);
        using var trainer = new Trainer(network, data, null, new TrainingOptions(1, data.Count, Shuffle: false, Seed: 1));
        trainer.RunEpoch();

        Assert.Equal(1, network.Optimizer.Steps);
        Assert.Equal(oneStep.ToModel().Parameters, network.ToModel().Parameters);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void SameSeedSameWeightsDifferentSeedDifferentWeights(string backendName)
    {
        float[] Train(ulong seed)
        {
            using IBackend backend = Backends.Create(backendName);
            Model.Model initial = new Initializer(InitializerKind.Auto).Create(Spec, new SeededRandom(seed));
            using var network = new TrainingNetwork(backend, initial, LossKind.SoftmaxCrossEntropy,
                new OptimizerSettings { Kind = OptimizerKind.Adam }, 4);
            using var trainer = new Trainer(network, Blobs(30), null, new TrainingOptions(3, 4, Shuffle: true, Seed: seed));
            trainer.Run();
            return network.ToModel().Parameters;
        }

        Assert.Equal(Train(5), Train(5));
        Assert.NotEqual(Train(5), Train(6));
    }

    [Fact]
    public void TrainingLowersTheLossAndLearnsSeparableClasses()
    {
        using IBackend backend = Backends.Create("reference");
        using var network = new TrainingNetwork(backend, Initial(), LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.05 }, 8);
        Dataset data = Blobs(60);
        using var trainer = new Trainer(network, data, data, new TrainingOptions(30, 8, Shuffle: true, Seed: 2));
        var reports = new List<EpochReport>();
        trainer.Run(reports.Add);
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss / 4, $"loss {reports[0].TrainLoss} → {reports[^1].TrainLoss}");
        Assert.True(reports[^1].EvalAccuracy >= 0.95, $"accuracy {reports[^1].EvalAccuracy}");
    }
}
