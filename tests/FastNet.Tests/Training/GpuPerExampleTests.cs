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
        // three steps, each on another example read in place: the weights have moved before the last two
        for (int d = 0; d < 3; d++)
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

    /// <summary>
    /// With dropout, the fused per-example step still equals the unfused one bit for bit, and every gradient the
    /// reference's masks make exactly zero (a dropped unit's incoming and outgoing weights, its bias) is exactly zero on
    /// the GPU backend too, and no other: the engine hands the GPU kernel the same keys.
    /// </summary>
    [Fact]
    public void WithDropoutTheGpuDropsTheReferencesUnitsAndTheFusedStepEqualsTheUnfused()
    {
        using var backend = new GpuBackend(GpuBackendOptions.CpuAccelerator);
        using var reference = new Kernels.Reference.ReferenceBackend();
        var random = new SeededRandom(6);
        float[] x = [.. Enumerable.Range(0, Spec.Inputs).Select(_ => (float)random.NextDouble())];
        float[] t = Dataset.OneHot([2], Spec.Outputs);
        var settings = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.5 };
        var dropout = new DropoutRates([0.5, 0.5], 7);
        Model.Model initial = new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(2));

        bool[] ZeroGradients(IBackend b)
        {
            using var network = new TrainingNetwork(b, initial, LossKind.HalfSquaredError, settings, 1, dropout: dropout);
            using FloatBuffer xb = b.Allocate(x.Length), tb = b.Allocate(t.Length);
            b.Upload(x, xb.All);
            b.Upload(t, tb.All);
            network.Optimizer.Steps = 3;
            network.ComputeGradients(xb.All, tb.All, 1);
            float[] g = new float[Spec.ParameterCount];
            b.Download(network.Gradients, g);
            return [.. g.Select(v => v == 0)];
        }
        bool[] zeros = ZeroGradients(reference);
        Assert.Contains(true, zeros);
        Assert.Equal(zeros, ZeroGradients(backend));

        using FloatBuffer xd = backend.Allocate(x.Length), td = backend.Allocate(t.Length);
        backend.Upload(x, xd.All);
        backend.Upload(t, td.All);
        using var fused = new TrainingNetwork(backend, initial, LossKind.HalfSquaredError, settings, 1, dropout: dropout);
        using var unfused = new TrainingNetwork(backend, initial, LossKind.HalfSquaredError, settings, 1, dropout: dropout);
        for (int step = 0; step < 2; step++) // the second step's masks and weights differ from the first's
        {
            fused.TrainBatch(xd.All, td.All, 1);
            unfused.ComputeGradients(xd.All, td.All, 1);
            unfused.Step();
        }
        float[] expected = unfused.ToModel().Parameters, actual = fused.ToModel().Parameters;
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }
}
