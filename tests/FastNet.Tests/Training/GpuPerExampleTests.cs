using FastNet.Data;
using FastNet.Kernels;
using FastNet.Kernels.Gpu;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// Per-example SGD through the engine on the GPU backend (ILGPU's CPU accelerator): on a GPU every launch costs a few
/// microseconds of host time, so the step is kept to one launch per layer and direction plus the loss, and it still
/// computes what the unfused gradients-then-step path computes.
/// </summary>
public class GpuPerExampleTests
{
    private static readonly NetworkSpec Spec = new(5,
        [new LayerSpec(9, Activation.Sigmoid), new LayerSpec(7, Activation.Tanh), new LayerSpec(4, Activation.Sigmoid)]);

    [Fact]
    public void AStepLaunchesOneKernelPerLayerAndDirectionAndEqualsTheUnfusedStep()
    {
        using var backend = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        var random = new SeededRandom(5);
        const int count = 6;
        float[] features = [.. Enumerable.Range(0, count * Spec.Inputs).Select(_ => (float)random.NextDouble())];
        int[] labels = [.. Enumerable.Range(0, count).Select(i => i % Spec.Outputs)];
        var data = new Dataset("random", Spec.Inputs, features, Spec.Outputs, Dataset.OneHot(labels, Spec.Outputs),
            Spec.Outputs, labels);
        using var device = new DeviceDataset(backend, data);
        using var batches = new BatchSource(backend, device.Features.All, Spec.Inputs, device.Targets.All, Spec.Outputs, 1);
        batches.SetOrder([3, 1, 4, 0, 5, 2]);
        var settings = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.5, WeightDecay = 0.01 };
        Model.Model initial = new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(2));
        using var fused = new TrainingNetwork(backend, initial, LossKind.HalfSquaredError, settings, 1);
        using var unfused = new TrainingNetwork(backend, initial, LossKind.HalfSquaredError, settings, 1);

        int launchesPerStep = 2 * Spec.Layers.Count + 1; // forward and backward of each layer, and the loss
        for (int d = 0; d < count; d++)
        {
            long before = backend.KernelLaunches;
            (BufferView x, BufferView t) = batches.Take(d, 1);
            fused.TrainBatch(x, t, 1);
            Assert.Equal(launchesPerStep, backend.KernelLaunches - before);
            unfused.ComputeGradients(x, t, 1);
            unfused.Step();
        }

        float[] expected = unfused.ToModel().Parameters, actual = fused.ToModel().Parameters;
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(initial.Parameters, actual);
    }
}
