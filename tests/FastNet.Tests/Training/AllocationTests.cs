using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>A training step allocates nothing once its network exists: per example and per batch, with and without
/// optimizer state, on every backend.</summary>
public class AllocationTests
{
    public static TheoryData<string, int, OptimizerKind> Cases()
    {
        var data = new TheoryData<string, int, OptimizerKind>();
        foreach (BackendDescriptor descriptor in Backends.Available)
        {
            foreach ((int batch, OptimizerKind optimizer) in new[] { (1, OptimizerKind.Sgd), (1, OptimizerKind.Adam), (8, OptimizerKind.Sgd), (8, OptimizerKind.Adam) })
            {
                data.Add(descriptor.Name, batch, optimizer);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainingStepsAllocateNothing(string backendName, int batch, OptimizerKind optimizer)
    {
        var spec = new NetworkSpec(20, [new LayerSpec(16, Activation.Sigmoid), new LayerSpec(4, Activation.Identity)]);
        using IBackend backend = Backends.Create(backendName);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(4));
        using var network = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = optimizer }, batch);
        using FloatBuffer x = backend.Allocate(batch * 20), t = backend.Allocate(batch * 4);
        backend.Fill(0.25f, x.All);
        backend.Fill(0.25f, t.All);

        for (int step = 0; step < 50; step++)
        {
            network.TrainBatch(x.All, t.All, batch);
        }
        // the calling thread's count: other tests run on other threads meanwhile
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 200; step++)
        {
            network.TrainBatch(x.All, t.All, batch);
        }
        backend.Synchronize();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void AccumulatedStepsAllocateNothing(string backendName) => AccumulatedSteps(backendName, layerDone: null);

    // the per-layer path a data-parallel step takes with --allreduce layers, its callback made once as the trainer does
    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void AccumulatedStepsLayerByLayerAllocateNothing(string backendName)
    {
        int calls = 0;
        AccumulatedSteps(backendName, layerDone: _ => calls++);
        Assert.Equal(250 * 2 * 2, calls); // every layer of both micro-batches of every step
    }

    private static void AccumulatedSteps(string backendName, Action<int>? layerDone)
    {
        var spec = new NetworkSpec(20, [new LayerSpec(16, Activation.Sigmoid), new LayerSpec(4, Activation.Identity)]);
        using IBackend backend = Backends.Create(backendName);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(4));
        using var network = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = OptimizerKind.Adam }, 4, accumulates: true);
        using FloatBuffer x = backend.Allocate(4 * 20), t = backend.Allocate(4 * 4);
        backend.Fill(0.25f, x.All);
        backend.Fill(0.25f, t.All);

        void Step()
        {
            network.AccumulateGradients(x.All, t.All, 4, 7, first: true, layerDone: layerDone);
            network.AccumulateGradients(x.Slice(0, 3 * 20), t.Slice(0, 3 * 4), 3, 7, first: false, layerDone: layerDone);
            network.StepAccumulated();
        }
        for (int step = 0; step < 50; step++)
        {
            Step();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 200; step++)
        {
            Step();
        }
        backend.Synchronize();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
