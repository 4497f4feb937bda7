using FastNet.Data;
using FastNet.Kernels;
using FastNet.Kernels.Gpu;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// The loss sum and correct count of an epoch, and of an evaluation, are added in float64, one Loss call's float sums
/// at a time. A float32 running sum rounded away small losses that came after large ones (its spacing grows with it)
/// and, one row at a time, counted no further than 2^24.
/// </summary>
public class MetricSumsTests
{
    // one row of half squared error 5000 (½·100²), then 40,000 of 5·10⁻⁵ (½·0.01²): past 5000 a float32 sum's spacing
    // is 2⁻¹¹ ≈ 4.9·10⁻⁴, so each small loss rounded away, 2 of the 5002 lost (4·10⁻⁴ relative)
    private const int SmallRows = 40_000;

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void APerExampleEpochCountsSmallLossesAfterALargeOne(string backendName)
    {
        (Dataset data, double expected) = LargeThenSmallLosses();
        using IBackend backend = Backends.Create(backendName);
        // a rate too small to change the output's float bits: each row's loss is its loss at w = 1, b = 0
        var sgd = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 1e-30 };
        using var network = new TrainingNetwork(backend, Identity(), LossKind.HalfSquaredError, sgd, maxBatch: 1);
        using var trainer = new Trainer(network, data, null, new TrainingOptions(1, 1, Shuffle: false, Seed: 1));

        EpochReport report = trainer.RunEpoch()!;

        // each row's float loss is within 2 ulps of its float64 value; the float64 sum adds ~10⁻¹⁶ relative
        Assert.Equal(expected, report.TrainLoss, expected * 1e-6);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void AnEvaluationInBatchesOfOneCountsSmallLossesAfterALargeOne(string backendName)
    {
        (Dataset data, double expected) = LargeThenSmallLosses();
        using IBackend backend = Backends.Create(backendName);
        using var device = new DeviceDataset(backend, data);
        using var network = new TrainingNetwork(backend, Identity(), LossKind.HalfSquaredError,
            new OptimizerSettings { Kind = OptimizerKind.Sgd }, maxBatch: 1);

        (double loss, _) = Evaluation.Run(network, device);

        Assert.Equal(expected, loss, expected * 1e-6);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void TheCorrectCountGoesOnPast2To24(string backendName)
    {
        using IBackend backend = Backends.Create(backendName);
        TheCountGoesOnPast2To24(backend);
    }

    private static void TheCountGoesOnPast2To24(IBackend backend)
    {
        // 2 inputs, identity outputs, W = I: the row (1, 0) with target (1, 0) is predicted correctly
        var spec = new NetworkSpec(2, [new LayerSpec(2, Activation.Identity)]);
        using var network = new TrainingNetwork(backend, new Model.Model(spec, [1, 0, 0, 1, 0, 0]),
            LossKind.HalfSquaredError, new OptimizerSettings { Kind = OptimizerKind.Sgd }, maxBatch: 1);
        using FloatBuffer x = backend.Allocate(2), t = backend.Allocate(2);
        backend.Upload([1f, 0f], x.All);
        backend.Upload([1f, 0f], t.All);
        // as a run resumed 2^24 correct examples into an epoch continues
        network.SetMetrics(0, 1 << 24);

        for (int i = 0; i < 3; i++)
        {
            network.EvaluateBatch(x.All, t.All, 1);
        }

        Assert.Equal((1 << 24) + 3, network.PeekMetrics().Correct);
        Assert.Equal(0, network.PeekMetrics().LossSum);
    }

    [Fact]
    public void ReadingTheSumsMidwayLeavesThemAsAddingEachCallsSums()
    {
        using IBackend backend = Backends.Create("simd");
        ReadsMidwayAsAtTheEnd(backend);
    }

    [Fact]
    public void ADeviceBackendsPairsAreDownloadedAndClearedAsTheHostsAre()
    {
        // a device backend's pairs are not host memory: they are downloaded, then zeroed by an upload (ILGPU's CPU
        // accelerator runs the GPU backend's kernels and copies here)
        using var backend = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        ReadsMidwayAsAtTheEnd(backend);
        TheCountGoesOnPast2To24(backend);
    }

    // 130 one-row calls: past the 64 pairs the backend holds, read after 1, 2, 63, 64, 65 and 129 calls, against
    // the same calls read only at the end; the sums are the same bits, and the float64 sum of the rows' losses
    private static void ReadsMidwayAsAtTheEnd(IBackend backend)
    {
        (Dataset data, _) = LargeThenSmallLosses();
        using var device = new DeviceDataset(backend, data);
        using var once = new TrainingNetwork(backend, Identity(), LossKind.HalfSquaredError,
            new OptimizerSettings { Kind = OptimizerKind.Sgd }, maxBatch: 1);
        using var midway = new TrainingNetwork(backend, Identity(), LossKind.HalfSquaredError,
            new OptimizerSettings { Kind = OptimizerKind.Sgd }, maxBatch: 1);
        int[] readAfter = [1, 2, 63, 64, 65, 129];

        for (int row = 0; row < 130; row++)
        {
            once.EvaluateBatch(device.Rows(row, 1), device.Targets.Slice(row, 1), 1);
            midway.EvaluateBatch(device.Rows(row, 1), device.Targets.Slice(row, 1), 1);
            if (readAfter.Contains(row + 1))
            {
                midway.PeekMetrics();
            }
        }

        (double LossSum, double Correct) atTheEnd = once.TakeMetrics();
        Assert.Equal(atTheEnd, midway.TakeMetrics());
        Assert.Equal((0d, 0d), once.PeekMetrics());
        // row 0's loss ½·100², then 129 of ½·0.01²: each within 2 ulps in float, added in float64
        double expected = (0.5 * 100 * 100) + (129 * 0.5 * (double)0.01f * 0.01f);
        Assert.Equal(expected, atTheEnd.LossSum, expected * 1e-6);
    }

    private static Model.Model Identity() =>
        new(new NetworkSpec(1, [new LayerSpec(1, Activation.Identity)]), [1, 0]);

    // inputs 0, so the output is the bias, 0; targets 100, then 0.01; the mean loss in float64 of the float targets
    private static (Dataset Data, double MeanLoss) LargeThenSmallLosses()
    {
        float[] targets = new float[SmallRows + 1];
        Array.Fill(targets, 0.01f);
        targets[0] = 100;
        double sum = targets.Sum(t => 0.5 * (double)t * t);
        return (new Dataset("large, then small losses", 1, new float[targets.Length], 1, targets), sum / targets.Length);
    }
}
