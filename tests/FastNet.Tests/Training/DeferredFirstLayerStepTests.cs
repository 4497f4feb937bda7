using FastNet.Kernels;
using FastNet.Kernels.Simd;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// A per-example SGD step on a CPU backend leaves its first-layer update to the next example's forward pass
/// (<see cref="TrainingNetwork.DefersFirstLayerStep"/>). Whatever comes between two steps must see the parameters,
/// activations and deltas as if each step had been taken whole: these tests put every kind of access between steps
/// and compare, bit for bit at every one, with a network taking the unfused steps (ComputeGradients, then Step), whose
/// first layer is never left pending.
/// </summary>
public class DeferredFirstLayerStepTests
{
    // a first layer that the SIMD backend splits into row chunks (39,000 weights), with rows no vector divides
    private static readonly NetworkSpec Spec =
        new(300, [new LayerSpec(130, Activation.Sigmoid), new LayerSpec(10, Activation.Sigmoid)]);

    private const int Examples = 24;

    public static TheoryData<string> CpuBackends() => ["reference", "simd 1 thread", "simd 2 threads"];

    private static IBackend Create(string name) => name switch
    {
        "reference" => new Kernels.Reference.ReferenceBackend(),
        "simd 1 thread" => SimdBackend.Create(1, VectorWidths.Best),
        _ => SimdBackend.Create(2, VectorWidths.Best),
    };

    private static OptimizerSettings Sgd(double weightDecay) =>
        new() { Kind = OptimizerKind.Sgd, LearningRate = 0.5, WeightDecay = weightDecay };

    private static Model.Model Initial() => new Initializer(InitializerKind.Xavier).Create(Spec, new SeededRandom(5));

    [Theory]
    [MemberData(nameof(CpuBackends))]
    public void EveryAccessBetweenStepsSeesTheStepsTakenWhole(string backendName)
    {
        using IBackend backend = Create(backendName);
        var random = new SeededRandom(9);
        float[] features = [.. Enumerable.Range(0, Examples * Spec.Inputs).Select(_ => (float)random.NextDouble())];
        float[] targets = [.. Enumerable.Range(0, Examples * Spec.Outputs).Select(i => i % 3 == 0 ? 1f : 0f)];
        using FloatBuffer allX = backend.Allocate(features.Length), allT = backend.Allocate(targets.Length);
        backend.Upload(features, allX.All);
        backend.Upload(targets, allT.All);
        // the pending step keeps its own copy of x: the caller's buffer is overwritten before the next step
        using FloatBuffer x = backend.Allocate(Spec.Inputs);
        float[] reloaded = Initial().Parameters.Select(p => p * 0.5f).ToArray();

        foreach ((double decay, bool trainBiases) in new[] { (0.0, true), (0.01, false) })
        {
            using var deferred = new TrainingNetwork(backend, Initial(), LossKind.HalfSquaredError, Sgd(decay), 1,
                trainBiases);
            using var whole = new TrainingNetwork(backend, Initial(), LossKind.HalfSquaredError, Sgd(decay), 1,
                trainBiases);
            Assert.True(TrainingNetwork.DefersFirstLayerStep(backend, OptimizerKind.Sgd, 1));
            for (int e = 0; e < Examples; e++)
            {
                backend.Upload(features.AsSpan(e * Spec.Inputs, Spec.Inputs), x.All);
                BufferView t = allT.Slice(e * Spec.Outputs, Spec.Outputs);
                deferred.TrainBatch(x.All, t, 1);
                whole.ComputeGradients(x.All, t, 1);
                whole.Step();
                backend.Upload(features.AsSpan(((e + 7) % Examples) * Spec.Inputs, Spec.Inputs), x.All);

                BufferView other = allX.Slice((Examples - 1 - e) * Spec.Inputs, Spec.Inputs);
                string what = $"{backendName} λ {decay} biases {trainBiases}, after example {e}";
                switch (e % 9)
                {
                    case 0: // an evaluation pass
                        Same(backend, whole.Forward(other, 1), deferred.Forward(other, 1), $"{what}: forward");
                        break;
                    case 1: // metrics of an evaluation batch
                        whole.EvaluateBatch(other, t, 1);
                        deferred.EvaluateBatch(other, t, 1);
                        Assert.Equal(whole.TakeMetrics(), deferred.TakeMetrics());
                        break;
                    case 2: // a checkpoint or a saved model
                        Assert.Equal(Bits(whole.ToModel().Parameters), Bits(deferred.ToModel().Parameters));
                        Assert.Equal(whole.DownloadOptimizerState(), deferred.DownloadOptimizerState());
                        break;
                    case 3: // the parameters read in place (the ranks' checksum)
                        Same(backend, whole.Parameters, deferred.Parameters, $"{what}: parameters");
                        break;
                    case 4: // parameters replaced (a resumed run, early stopping's best model)
                        whole.LoadParameters(reloaded);
                        deferred.LoadParameters(reloaded);
                        break;
                    case 5: // an unfused step between fused ones
                        whole.ComputeGradients(other, t, 1);
                        whole.Step();
                        deferred.ComputeGradients(other, t, 1);
                        deferred.Step();
                        break;
                    case 6: // a data-parallel share of a batch's gradient
                        whole.ComputeGradientShare(other, t, 1, 2, 0);
                        deferred.ComputeGradientShare(other, t, 1, 2, 0);
                        Same(backend, whole.Gradients, deferred.Gradients, $"{what}: gradient share");
                        break;
                    case 7: // the layers' buffers read after a step
                        Same(backend, whole.Activations(0), deferred.Activations(0), $"{what}: activations");
                        Same(backend, whole.Activations(1), deferred.Activations(1), $"{what}: outputs");
                        break;
                    default: // the next example straight away: the fused update and forward pass
                        break;
                }
            }
            Assert.Equal(Bits(whole.ToModel().Parameters), Bits(deferred.ToModel().Parameters));
            Assert.Equal(whole.TakeMetrics(), deferred.TakeMetrics());
            Assert.Equal(whole.Optimizer.Steps, deferred.Optimizer.Steps);
        }
    }

    [Fact]
    public void OnlyPlainSgdAtBatchOneOnACpuBackendDefers()
    {
        using IBackend simd = SimdBackend.Create(1, VectorWidths.Best);
        Assert.True(TrainingNetwork.DefersFirstLayerStep(simd, OptimizerKind.Sgd, 1));
        Assert.False(TrainingNetwork.DefersFirstLayerStep(simd, OptimizerKind.Sgd, 2));
        Assert.False(TrainingNetwork.DefersFirstLayerStep(simd, OptimizerKind.Momentum, 1));
    }

    private static void Same(IBackend backend, BufferView expected, BufferView actual, string what)
    {
        float[] e = new float[expected.Length], a = new float[actual.Length];
        backend.Download(expected, e);
        backend.Download(actual, a);
        Assert.True(Bits(e).SequenceEqual(Bits(a)), what);
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
