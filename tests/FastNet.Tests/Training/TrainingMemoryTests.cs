using FastNet.Benchmarking;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Kernels.Gpu;
using FastNet.Kernels.Simd;
using FastNet.Model;
using FastNet.Tests.Benchmarking;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>The memory estimate a run is checked against before it allocates: its arithmetic against what training
/// really allocates, and the refusal when it does not fit. Runs with the tests that measure resident memory, as a
/// benchmark workload here resets the process's peak.</summary>
[Collection(ResidentMemoryCollection.Name)]
public class TrainingMemoryTests
{
    // awkward sizes: 7 inputs, 17 and 3 units, batches of 5 over 33 examples, 11 evaluation examples
    private static readonly NetworkSpec Spec = new(7, [new LayerSpec(17, Activation.Tanh), new LayerSpec(3, Activation.Identity)]);

    private static Dataset Data(int count, string name)
    {
        var random = new SeededRandom(5);
        int[] labels = [.. Enumerable.Range(0, count).Select(i => i % 3)];
        float[] features = [.. Enumerable.Range(0, count * 7).Select(_ => (float)random.NextDouble(-1, 1))];
        return new Dataset(name, 7, features, 3, Dataset.OneHot(labels, 3), 3, labels);
    }

    public static TheoryData<OptimizerKind, bool> Optimizers() => new()
    {
        { OptimizerKind.Sgd, true }, { OptimizerKind.Momentum, true }, { OptimizerKind.Adam, true }, { OptimizerKind.Adam, false },
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void EstimateIsExactlyWhatTrainingAllocatesOnTheReferenceBackend(OptimizerKind optimizer, bool trainBiases)
    {
        Dataset train = Data(33, "train"), evaluation = Data(11, "eval");
        using var counted = new AllocationCounter();

        TrainingMemory estimate = TrainingMemory.ForTraining(counted, Spec, optimizer, trainBiases, 5, train, evaluation);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(1));
        using (var network = new TrainingNetwork(counted, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = optimizer }, 5, trainBiases))
        using (new Trainer(network, train, evaluation, new TrainingOptions(1, 5, Shuffle: true, Seed: 1)))
        {
            // an independent count: every float and index the backend was asked for, 4 bytes each
            Assert.Equal(counted.AllocatedBytes, estimate.DeviceBytes);
        }
        Assert.Equal(0, estimate.Scratch); // the reference backend keeps no working buffers
        Assert.Equal(4L * Spec.ParameterCount, estimate.HostModel);
        Assert.Equal(estimate.DeviceBytes + estimate.HostModel, estimate.TotalBytes);
    }

    [Fact]
    public void EstimateOfACompactSetIsExactlyWhatTrainingAllocates()
    {
        Dataset train = Compact(33, "train"), evaluation = Compact(11, "eval");
        using var counted = new AllocationCounter();

        TrainingMemory estimate = TrainingMemory.ForTraining(counted, Spec, OptimizerKind.Adam, true, 5, train, evaluation);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(1));
        using (var network = new TrainingNetwork(counted, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = OptimizerKind.Adam }, 5))
        using (var trainer = new Trainer(network, train, evaluation, new TrainingOptions(1, 5, Shuffle: true, Seed: 1)))
        {
            trainer.Run(); // the evaluation uploads its rows a batch at a time
            Assert.Equal(counted.AllocatedBytes, estimate.DeviceBytes);
        }
        // features stay on the host: only targets, the order and one batch of evaluation rows are on the backend
        TrainingMemory floats = TrainingMemory.ForTraining(counted, Spec, OptimizerKind.Adam, true, 5, Data(33, "train"),
            Data(11, "eval"));
        Assert.Equal(floats.Dataset - (4L * (33 + 11 - 5) * Spec.Inputs), estimate.Dataset);
        Assert.Equal(4L * 2 * 5 * Spec.Inputs, estimate.HostBatch);
        Assert.Equal(estimate.DeviceBytes + estimate.HostModel + estimate.HostBatch, estimate.TotalBytes);
    }

    private static Dataset Compact(int count, string name)
    {
        int[] labels = [.. Enumerable.Range(0, count).Select(i => i % 3)];
        byte[] features = [.. Enumerable.Range(0, count * 7).Select(i => (byte)(i * 37))];
        var data = new Dataset(name, 7, features, 3, Dataset.OneHot(labels, 3), 3, labels);
        data.Scale(new DivideScaling(255));
        return data;
    }

    [Fact]
    public void EvaluationEstimateIsExactlyWhatEvalAllocatesOnTheReferenceBackend()
    {
        Dataset data = Data(33, "eval");
        using var counted = new AllocationCounter();
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(1));

        TrainingMemory estimate = TrainingMemory.ForEvaluation(counted, Spec, 20, data);
        // as fastnet eval does it: the loss in batches of 20, then the predictions in chunks of 20
        using (var network = new TrainingNetwork(counted, model, LossKind.SoftmaxCrossEntropy, new OptimizerSettings(), 20))
        using (var device = new DeviceDataset(counted, data))
        {
            Evaluation.Run(network, device);
            Inference.Outputs(counted, model, data.Features, chunk: 20);
        }

        Assert.Equal(counted.AllocatedBytes, estimate.DeviceBytes);
    }

    // eval keeps the model's outputs for every row on the host for its metrics: a large set's outputs were not counted
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EvaluationEstimateCountsTheOutputsOfEveryRowOnTheHost(bool classification)
    {
        Dataset data = classification ? Data(33, "eval") : new Dataset("eval", 7, Data(33, "eval").Features, 3, new float[33 * 3]);
        using IBackend backend = Backends.Create("reference");
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(1));

        TrainingMemory estimate = TrainingMemory.ForEvaluation(backend, Spec, 20, data);
        float[] outputs = Inference.Outputs(backend, model, data, chunk: 20);
        long predictedClasses = classification ? sizeof(int) * (long)Inference.ArgMax(outputs, 3).Length : 0;

        long kept = (sizeof(float) * (long)outputs.Length) + predictedClasses;
        Assert.True(estimate.HostBytes >= (4L * Spec.ParameterCount) + kept, $"{estimate.HostBytes} bytes on the host");
        Assert.Equal(kept, estimate.HostOutputs);
        Assert.Equal(estimate.HostModel + estimate.HostBatch + estimate.HostOutputs, estimate.HostBytes);
        Assert.Contains("host outputs", estimate.Breakdown(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void EstimateAgreesWithTheBuffersABenchmarkWorkloadHolds(string backendName)
    {
        var workload = new Workload("small", [20, 16, 4], Activation.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Adam, 8);
        using IBackend backend = Backends.Create(backendName);
        TrainingMemory estimate = TrainingMemory.ForTraining(backend, workload.Spec(), OptimizerKind.Adam, true, 8, 256, 0);

        MemoryBreakdown held = WorkloadTimer.Run(backend, workload, repeats: 1, secondsPerRepeat: 0.01).Memory.Computed;

        Assert.Equal(held.Parameters, estimate.Parameters);
        Assert.Equal(held.Gradients, estimate.Gradients);
        Assert.Equal(held.OptimizerState, estimate.OptimizerState);
        Assert.Equal(held.ActivationsAndDeltas, estimate.ActivationsAndDeltas);
        // and the network's metric sums, which the benchmark leaves out
        Assert.Equal(held.Batch + (4 * TrainingNetwork.MetricFloats), estimate.Batch);
        Assert.Equal(held.Dataset, estimate.Dataset);
        Assert.InRange(held.Scratch, 0, estimate.Scratch);
    }

    public static TheoryData<string, int> BackendsAndMicroBatchCounts()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in BackendCases.Names())
        {
            foreach (int k in (int[])[1, 2, 3, 8])
            {
                data.Add(name, k);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BackendsAndMicroBatchCounts))]
    public void WithKMicroBatchesThePerRowItemsAreThoseOfABatchOfBatchOverK(string backendName, int k)
    {
        // 7-17(GELU, which keeps Z too)-3, batch 40: micro-batches of 40, 20, 14 (uneven: 14, 14, 12) and 5 rows
        var spec = new NetworkSpec(7, [new LayerSpec(17, Activation.Gelu), new LayerSpec(3, Activation.Identity)]);
        using IBackend backend = Backends.Create(backendName);
        int micro = (40 + k - 1) / k;

        TrainingMemory accumulated = TrainingMemory.ForTraining(backend, spec, OptimizerKind.Lamb, true, 40, 300, 0, k);
        TrainingMemory small = TrainingMemory.ForTraining(backend, spec, OptimizerKind.Lamb, true, micro, 300, 0);

        Assert.Equal(small.ActivationsAndDeltas, accumulated.ActivationsAndDeltas);
        Assert.Equal(4L * 3 * micro * 17 + (4L * 2 * micro * 3), accumulated.ActivationsAndDeltas);
        Assert.Equal(small.Batch, accumulated.Batch);
        Assert.Equal(small.Scratch, accumulated.Scratch);
        Assert.Equal(small.Parameters, accumulated.Parameters);
        Assert.Equal(small.OptimizerState, accumulated.OptimizerState);
        Assert.Equal(small.Dataset, accumulated.Dataset);
        // the sum of the micro-batches' gradients is one more gradient buffer
        Assert.Equal(small.Gradients + (k > 1 ? 4L * spec.ParameterCount : 0), accumulated.Gradients);
    }

    [Theory]
    [MemberData(nameof(BackendsAndMicroBatchCounts))]
    public void ABenchmarkWorkloadOfKMicroBatchesHoldsTheEstimateAndTheBuffersOfBatchOverK(string backendName, int k)
    {
        var workload = new Workload("small", [20, 16, 4], Activation.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Lars, 40)
            .Accumulating(k);
        var single = new Workload("single", [20, 16, 4], Activation.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Lars,
            workload.MicroBatch);
        using IBackend backend = Backends.Create(backendName);
        TrainingMemory estimate = TrainingMemory.ForTraining(backend, workload.Spec(), OptimizerKind.Lars, true, 40, 256, 0, k);

        MemoryBreakdown held = WorkloadTimer.Run(backend, workload, repeats: 1, secondsPerRepeat: 0.01).Memory.Computed;
        MemoryBreakdown heldSingle = WorkloadTimer.Run(backend, single, repeats: 1, secondsPerRepeat: 0.01).Memory.Computed;

        Assert.Equal(held.Gradients, estimate.Gradients);
        Assert.Equal(held.ActivationsAndDeltas, estimate.ActivationsAndDeltas);
        Assert.Equal(held.Batch + (4 * TrainingNetwork.MetricFloats), estimate.Batch);
        Assert.Equal(held.Dataset, estimate.Dataset);
        Assert.InRange(held.Scratch, 0, estimate.Scratch);
        Assert.Equal(heldSingle.ActivationsAndDeltas, held.ActivationsAndDeltas);
        Assert.Equal(heldSingle.Batch, held.Batch);
    }

    // a narrow net with Adam; and two 1024-wide layers with plain SGD, whose per-thread buffers are the largest: at a
    // batch of 100 dZ·Wᵀ packs dZ in full blocks of A (96 rows by 1024 steps at 512 bits), at a batch of 40 the hidden
    // layer's backward sweep holds a panel of W 1024 steps deep per thread
    [Theory]
    [InlineData(70, OptimizerKind.Adam, 40)]
    [InlineData(1024, OptimizerKind.Sgd, 100)]
    [InlineData(1024, OptimizerKind.Sgd, 40)]
    public void SimdScratchEstimateBoundsWhatTheBackendHoldsAfterAnEpoch(int units, OptimizerKind optimizer, int batch)
    {
        Dataset train = Data(300, "train");
        LayerSpec[] hidden = units == 1024
            ? [new LayerSpec(units, Activation.Relu), new LayerSpec(units, Activation.Relu)]
            : [new LayerSpec(units, Activation.Relu)];
        var wide = new NetworkSpec(7, [.. hidden, new LayerSpec(3, Activation.Identity)]);
        using IBackend backend = Backends.Create("simd");
        var simd = (SimdBackend)backend;
        TrainingMemory estimate = TrainingMemory.ForTraining(backend, wide, optimizer, true, batch, train, null);

        using var network = new TrainingNetwork(backend, new Initializer(InitializerKind.Xavier).Create(wide, new SeededRandom(1)),
            LossKind.SoftmaxCrossEntropy, new OptimizerSettings { Kind = optimizer }, batch);
        using var trainer = new Trainer(network, train, null, new TrainingOptions(1, batch, Shuffle: true, Seed: 1));
        trainer.RunEpoch();

        Assert.True(simd.ScratchBytes > 0, "an epoch of batches packs GEMM operands");
        Assert.True(simd.ScratchBytes <= estimate.Scratch, $"scratch {simd.ScratchBytes} bytes, estimated {estimate.Scratch}");
    }

    [Fact]
    public void ARunLargerThanTheMemoryIsRefusedWithWhatItNeedsItemByItemAndWhatIsAvailable()
    {
        // 64-40000-40000-10 with Adam: 1,603,040,010 parameters, four copies of them and the optimizer's two slots
        TrainingMemory estimate = FortyThousandSquared(OptimizerKind.Adam);
        Assert.Equal(1_603_040_010, new NetworkSpec(64, Layers(40000, 40000)).ParameterCount);
        Assert.Equal(4L * 2 * 1_603_040_010, estimate.OptimizerState);

        var e = Assert.Throws<NotEnoughMemoryException>(() => estimate.EnsureFits(hostBytes: 16L << 30, deviceBytes: null, "simd"));

        Assert.StartsWith("not enough memory: the run needs 29.88 GiB (parameters 5.97 GiB", e.Message, StringComparison.Ordinal);
        Assert.Contains("optimizer state 11.94 GiB", e.Message, StringComparison.Ordinal);
        Assert.Contains("16.00 GiB available", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeviceRunIsCheckedAgainstTheDevicesFreeMemoryAndTheHostModelAgainstTheHost()
    {
        TrainingMemory estimate = FortyThousandSquared(OptimizerKind.Sgd);

        var device = Assert.Throws<NotEnoughMemoryException>(() => estimate.EnsureFits(long.MaxValue, 8L << 30, "gpu"));
        Assert.Contains("on the gpu device", device.Message, StringComparison.Ordinal);
        Assert.Contains("8.00 GiB free there", device.Message, StringComparison.Ordinal);

        var host = Assert.Throws<NotEnoughMemoryException>(() => estimate.EnsureFits(1L << 30, long.MaxValue, "gpu"));
        Assert.Contains("the model needs 5.97 GiB on the host", host.Message, StringComparison.Ordinal);

        estimate.EnsureFits(estimate.HostModel, estimate.DeviceBytes, "gpu"); // exactly enough is enough
    }

    [Fact]
    public void ABufferPastTheIndexLimitIsRefusedEvenWithMemoryToSpare()
    {
        // Adam's state for 1.6e9 parameters is one buffer of 3.2e9 floats
        TrainingMemory estimate = FortyThousandSquared(OptimizerKind.Adam);

        var e = Assert.Throws<ArgumentException>(() => estimate.EnsureFits(long.MaxValue, null, "simd"));

        Assert.Contains("the optimizer state would be one buffer of 3206080020 floats", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostMemoryAvailableIsPositiveAndWithinTheRuntimesLimit()
    {
        long available = AvailableMemory.HostBytes();

        Assert.InRange(available, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    [Fact]
    public void DeviceMemoryAvailableIsTheDevicesFreeMemoryAndShrinksWithItsBuffers()
    {
        // ILGPU's CPU accelerator stands in for a GPU: its free memory is its size less what the backend holds
        using var gpu = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        using IBackend simd = Backends.Create("simd");
        long before = AvailableMemory.DeviceBytes(gpu)!.Value;

        using (gpu.Allocate(1 << 20))
        {
            Assert.Equal(before - (4L << 20), AvailableMemory.DeviceBytes(gpu));
        }
        Assert.Null(AvailableMemory.DeviceBytes(simd)); // a CPU backend computes in host memory
    }

    private static LayerSpec[] Layers(params int[] hidden) =>
        [.. hidden.Select(units => new LayerSpec(units, Activation.Relu)), new LayerSpec(10, Activation.Identity)];

    // the sizes only: the spec and the estimate allocate nothing of the network; on the reference backend, no scratch
    private static TrainingMemory FortyThousandSquared(OptimizerKind optimizer)
    {
        using IBackend backend = Backends.Create("reference");
        return TrainingMemory.ForTraining(backend, new NetworkSpec(64, Layers(40000, 40000)), optimizer, true, 32,
            new Dataset("one", 64, new float[64], 10, Dataset.OneHot([0], 10), 10, [0]), null);
    }
}
