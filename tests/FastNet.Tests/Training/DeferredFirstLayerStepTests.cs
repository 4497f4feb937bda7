using FastNet.Kernels;
using FastNet.Kernels.Simd;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// A per-example SGD step on a CPU backend leaves its first-layer update to the next example's forward pass
/// (<see cref="TrainingNetwork.DefersFirstLayerStep"/>), and a batch's SGD step leaves the update of the first layer's
/// weights to the next batch's (<see cref="TrainingNetwork.DefersFirstLayerWeights"/>) unless the backend fuses that
/// layer's whole step (<see cref="IBackend.FusesBackwardSgdStep"/>). Whatever comes between two
/// steps must see the parameters, activations and deltas as if each step had been taken whole: these tests put every
/// kind of access between steps and compare, bit for bit at every one, with a network taking the unfused steps
/// (ComputeGradients, then Step), whose first layer is never left pending.
/// </summary>
public class DeferredFirstLayerStepTests
{
    // per example: a first layer that the SIMD backend splits into row chunks (39,000 weights), with rows no vector
    // divides; on batches of 24: one whose weights' step the SIMD forward GEMM takes (whole panels, columns split),
    // or (swept) one whose whole step the SIMD backend fuses into its backward pass, so it is never left pending
    private static NetworkSpec SpecFor(int batch, bool swept) => swept
        ? new(512, [new LayerSpec(512, Activation.Sigmoid), new LayerSpec(10, Activation.Sigmoid)])
        : new(300, [new LayerSpec(batch == 1 ? 130 : 128, Activation.Sigmoid), new LayerSpec(10, Activation.Sigmoid)]);

    private const int Steps = 24;

    public static TheoryData<string, int, bool> CpuBackends() => new()
    {
        { "reference", 1, false }, { "simd 1 thread", 1, false }, { "simd 2 threads", 1, false },
        { "reference", 24, false }, { "simd 1 thread", 24, false }, { "simd 2 threads", 24, false },
        { "simd 1 thread", 24, true }, { "simd 2 threads", 24, true },
    };

    private static IBackend Create(string name) => name switch
    {
        "reference" => new Kernels.Reference.ReferenceBackend(),
        "simd 1 thread" => SimdBackend.Create(1, VectorWidths.Best),
        _ => SimdBackend.Create(2, VectorWidths.Best),
    };

    private static OptimizerSettings Sgd(double weightDecay) =>
        new() { Kind = OptimizerKind.Sgd, LearningRate = 0.5, WeightDecay = weightDecay };

    private static Model.Model Initial(NetworkSpec spec) =>
        new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(5));

    [Theory]
    [MemberData(nameof(CpuBackends))]
    public void EveryAccessBetweenStepsSeesTheStepsTakenWhole(string backendName, int batch, bool swept)
    {
        using IBackend backend = Create(backendName);
        NetworkSpec spec = SpecFor(batch, swept);
        int inputs = spec.Inputs, outputs = spec.Outputs;
        Assert.Equal(swept || (batch == 1 && backendName != "reference"),
            backend.FusesBackwardSgdStep(batch, inputs, spec.Layers[0].Units));
        var random = new SeededRandom(9);
        float[] features = [.. Enumerable.Range(0, Steps * batch * inputs).Select(_ => (float)random.NextDouble())];
        float[] targets = [.. Enumerable.Range(0, Steps * batch * outputs).Select(i => i % 3 == 0 ? 1f : 0f)];
        using FloatBuffer allX = backend.Allocate(features.Length), allT = backend.Allocate(targets.Length);
        backend.Upload(features, allX.All);
        backend.Upload(targets, allT.All);
        // a pending step keeps what it needs of x: the caller's buffer is overwritten before the next step
        using FloatBuffer x = backend.Allocate(batch * inputs);
        float[] reloaded = Initial(spec).Parameters.Select(p => p * 0.5f).ToArray();

        foreach ((double decay, bool trainBiases) in new[] { (0.0, true), (0.01, false) })
        {
            using var deferred = new TrainingNetwork(backend, Initial(spec), LossKind.HalfSquaredError, Sgd(decay),
                batch, trainBiases);
            using var whole = new TrainingNetwork(backend, Initial(spec), LossKind.HalfSquaredError, Sgd(decay), batch,
                trainBiases);
            Assert.Equal(batch == 1, TrainingNetwork.DefersFirstLayerStep(backend, OptimizerKind.Sgd, batch));
            Assert.Equal(batch > 1, deferred.DefersFirstLayerWeights);
            for (int e = 0; e < Steps; e++)
            {
                backend.Upload(features.AsSpan(e * batch * inputs, batch * inputs), x.All);
                BufferView t = allT.Slice(e * batch * outputs, batch * outputs);
                deferred.TrainBatch(x.All, t, batch);
                whole.ComputeGradients(x.All, t, batch);
                whole.Step();
                backend.Upload(features.AsSpan((e + 7) % Steps * batch * inputs, batch * inputs), x.All);

                BufferView other = allX.Slice((Steps - 1 - e) * batch * inputs, batch * inputs);
                string what = $"{backendName} batch {batch} λ {decay} biases {trainBiases}, after step {e}";
                switch (e % 9)
                {
                    case 0: // an evaluation pass
                        Same(backend, whole.Forward(other, batch), deferred.Forward(other, batch), $"{what}: forward");
                        break;
                    case 1: // metrics of an evaluation batch
                        whole.EvaluateBatch(other, t, batch);
                        deferred.EvaluateBatch(other, t, batch);
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
                        whole.ComputeGradients(other, t, batch);
                        whole.Step();
                        deferred.ComputeGradients(other, t, batch);
                        deferred.Step();
                        break;
                    case 6: // a data-parallel share of a batch's gradient
                        whole.ComputeGradientShare(other, t, batch, 2 * batch, 0);
                        deferred.ComputeGradientShare(other, t, batch, 2 * batch, 0);
                        Same(backend, whole.Gradients, deferred.Gradients, $"{what}: gradient share");
                        break;
                    case 7: // the layers' buffers read after a step
                        Same(backend, whole.Activations(0), deferred.Activations(0), $"{what}: activations");
                        Same(backend, whole.Activations(1), deferred.Activations(1), $"{what}: outputs");
                        break;
                    default: // the next step straight away: the fused update and forward pass
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
