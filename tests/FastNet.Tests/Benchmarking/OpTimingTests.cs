using FastNet.Benchmarking;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>
/// <c>fastnet bench --ops</c> splits a step into its ops by training through <see cref="OpTimingBackend"/>: it must
/// forward every op to the backend it wraps (an op it left to the interface's default would take the composed path
/// instead of the backend's own), so training through it gives the backend's bits, and it must count each op of the
/// timed steps once, by its shape.
/// </summary>
public class OpTimingTests
{
    [Fact]
    public void EveryOpOfTheInterfaceIsForwarded()
    {
        System.Reflection.InterfaceMapping map = typeof(OpTimingBackend).GetInterfaceMap(typeof(IBackend));
        Assert.All(map.TargetMethods, method => Assert.Equal(typeof(OpTimingBackend), method.DeclaringType));
    }

    [Theory]
    [InlineData(1, OptimizerKind.Sgd)]
    [InlineData(8, OptimizerKind.Sgd)]
    [InlineData(8, OptimizerKind.Adam)]
    public void TrainingThroughItGivesTheBackendsOwnBits(int batch, OptimizerKind optimizer)
    {
        float[] direct = Train(backend => backend, batch, optimizer);
        float[] timed = Train(backend => new OpTimingBackend(backend), batch, optimizer);
        Assert.Equal(direct, timed);
    }

    [Fact]
    public void EachOpOfTheTimedStepsIsCountedOnceByItsShape()
    {
        // 20-16-4, batch 8, plain SGD on the reference backend: x and t gathered; the first layer's SGD step left
        // pending by the last step, then its forward pass; the second's forward pass; the loss; the second's backward
        // pass fused with its step; the first's backward pass (dW kept for the next step's forward pass) and the step
        // of its biases
        var workload = new Workload("small", [20, 16, 4], Activation.Tanh, LossKind.SoftmaxCrossEntropy,
            OptimizerKind.Sgd, 8);
        using IBackend backend = Backends.Create("reference");

        OpBreakdown b = OpTimer.Run(backend, workload, 0.05);

        Assert.True(b.Steps > 0);
        (string, long, long)[] expected =
        [
            ("gather 8×20", 1, 0), ("gather 8×4", 1, 0),
            ("SGD step, then forward 8×20→16 tanh", 1, 2 * 8 * 20 * 16), ("forward 8×16→4 identity", 1, 2 * 8 * 16 * 4),
            ("loss cross-entropy 8×4", 1, 0),
            ("backward and SGD step 8×16→4 identity with dX", 1, 2 * 2 * 8 * 16 * 4),
            ("backward 8×20→16 tanh", 1, 2 * 8 * 20 * 16), ("sgd step of 16 parameters", 1, 0),
        ];
        Assert.Equal(expected.Order(), b.Ops.Select(o => (o.Op, o.Calls / b.Steps, o.FlopsPerCall)).Order());
        Assert.All(b.Ops, o => Assert.Equal(0, o.Calls % b.Steps));
        Assert.True(b.Ops.Sum(o => o.Time.Ticks) / b.Steps <= b.StepTime.Ticks,
            "the ops of a step took longer than the step");
    }

    // 12 steps of 20-16-4 on the SIMD backend, given directly or wrapped; the parameters after them
    private static float[] Train(Func<IBackend, IBackend> wrap, int batch, OptimizerKind optimizer)
    {
        var spec = new NetworkSpec(20, [new LayerSpec(16, Activation.Sigmoid), new LayerSpec(4, Activation.Identity)]);
        using IBackend simd = Backends.Create("simd");
        IBackend backend = wrap(simd);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(4));
        using var network = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = optimizer }, batch);
        var random = new Random(5);
        using FloatBuffer x = backend.Allocate(batch * 20), t = backend.Allocate(batch * 4);
        backend.Upload([.. Enumerable.Range(0, batch * 20).Select(_ => (float)random.NextDouble())], x.All);
        backend.Upload([.. Enumerable.Range(0, batch * 4).Select(i => i % 4 == i / 4 % 4 ? 1f : 0f)], t.All);
        for (int step = 0; step < 12; step++)
        {
            network.TrainBatch(x.All, t.All, batch);
        }
        float[] parameters = new float[network.Parameters.Length];
        backend.Download(network.Parameters, parameters);
        return parameters;
    }
}
