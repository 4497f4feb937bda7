using FastNet.Benchmarking;
using FastNet.Kernels;
using FastNet.Kernels.Simd;
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
        Assert.Equal(0, CleanestWindow(() => network.TrainBatch(x.All, t.All, batch), backend).BytesPerStep);
    }

    // shapes past the SIMD backend's thresholds for splitting an op between threads, on two threads whatever this
    // machine has: per example (a 784-128 layer's rows in chunks), and tanh-64's batch of 64 (a batch's gather from a
    // shuffled order, the GEMMs with their pending SGD step, the backward sweep, and Adam's update); the workers'
    // allocations count as the caller's do
    [Theory]
    [InlineData(1, OptimizerKind.Sgd)]
    [InlineData(64, OptimizerKind.Sgd)]
    [InlineData(64, OptimizerKind.Adam)]
    public void StepsSplitBetweenTwoThreadsAllocateNothingOnEither(int batch, OptimizerKind optimizer)
    {
        const int examples = 256;
        var spec = new NetworkSpec(784, [new LayerSpec(batch == 1 ? 128 : 256, Activation.Tanh), new LayerSpec(10, Activation.Identity)]);
        using IBackend backend = SimdBackend.Create(2, VectorWidths.Best);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(4));
        using var network = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = optimizer }, batch);
        using FloatBuffer data = backend.Allocate(examples * 784), x = backend.Allocate(batch * 784), t = backend.Allocate(batch * 10);
        using IndexBuffer order = backend.AllocateIndices(examples);
        backend.Fill(0.25f, data.All);
        backend.Fill(0.1f, t.All);
        backend.UploadIndices([.. Enumerable.Range(0, examples).Select(i => i * 37 % examples)], order);
        int first = 0;
        void Step()
        {
            backend.GatherRows(data.All, 784, order, first, batch, x.All);
            network.TrainBatch(x.All, t.All, batch);
            first = (first + batch) % examples;
        }

        for (int step = 0; step < 50; step++)
        {
            Step();
        }
        Assert.Equal(0, CleanestWindow(Step, backend).BytesPerStep);
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
        int steps = AccumulatedSteps(backendName, layerDone: _ => calls++);
        Assert.Equal(steps * 2 * 2, calls); // every layer of both micro-batches of every step
    }

    // returns the number of steps taken
    private static int AccumulatedSteps(string backendName, Action<int>? layerDone)
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
        (double bytes, int measured) = CleanestWindow(Step, backend);
        Assert.Equal(0, bytes);
        return 50 + measured;
    }

    /// <summary>
    /// What the calling thread and the backend's workers allocated a step (other tests run on other threads meanwhile),
    /// counted as the benchmarks count it (<see cref="StepAllocations"/>): the cleanest of up to three windows of 200 steps, and the
    /// steps taken. A step that allocates dirties every window. The runtime can also bill its own one-off work to this
    /// thread: on a loaded machine a method's move to optimized code landed in a measured window (3,656 and 7,376
    /// bytes in 2 of 8 whole-suite runs), which no later window repeats.
    /// </summary>
    private static (double BytesPerStep, int Steps) CleanestWindow(Action step, IBackend backend)
    {
        var allocations = new StepAllocations(backend);
        allocations.Mark(0);
        int steps = 0;
        for (int window = 0; window < 3 && (window == 0 || allocations.BytesPerStep > 0); window++)
        {
            for (int i = 0; i < StepAllocations.WindowSteps; i++)
            {
                step();
            }
            backend.Synchronize();
            allocations.Mark(StepAllocations.WindowSteps);
            steps += StepAllocations.WindowSteps;
        }
        return (allocations.BytesPerStep, steps);
    }
}
