using BenchmarkDotNet.Attributes;
using FastNet.Benchmarking;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Benchmarks;

/// <summary>
/// One whole training step (gather the batch on the backend, forward, loss, backward, optimizer) of each named
/// workload, as <c>fastnet train</c> runs it, per backend. Samples/s = batch / mean time; allocation per step must be
/// 0 B. The reference runs only the per-example workload: a 1024-example step of the large nets takes it seconds.
/// </summary>
[MemoryDiagnoser]
public class WorkloadStepBenchmarks
{
    private IBackend _backend = null!;
    private TrainingNetwork _network = null!;
    private DeviceDataset _data = null!;
    private IndexBuffer _order = null!;
    private FloatBuffer _x = null!, _t = null!;
    private int _next, _batches;

    /// <summary>A backend and a workload.</summary>
    public sealed record Case(string Backend, Workload Workload)
    {
        public override string ToString() => $"{Backend} {Workload.Name}";
    }

    [ParamsSource(nameof(Cases))]
    public Case Scenario { get; set; } = null!;

    public static IEnumerable<Case> Cases() =>
        from backend in BackendRegistry.Available
        from workload in Workload.Named
        where workload.Batch <= 1024 && (backend.Name != "reference" || workload.Batch == 1)
        select new Case(backend.Name, workload);

    [GlobalSetup]
    public void Setup()
    {
        Workload w = Scenario.Workload;
        Model.NetworkSpec spec = w.Spec();
        _backend = BackendRegistry.Create(Scenario.Backend);
        var random = new SeededRandom(1);
        int count = Math.Max(4 * w.Batch, 256);
        float[] features = [.. Enumerable.Range(0, count * spec.Inputs).Select(_ => (float)random.NextDouble())];
        int[] labels = [.. Enumerable.Range(0, count).Select(_ => random.NextInt(spec.Outputs))];
        var data = new Dataset("synthetic", spec.Inputs, features, spec.Outputs, Dataset.OneHot(labels, spec.Outputs), spec.Outputs, labels);
        _network = new TrainingNetwork(_backend, new Initializer(InitializerKind.Auto).Create(spec, random), w.Loss,
            w.OptimizerSettings(), w.Batch);
        _data = new DeviceDataset(_backend, data);
        _order = _backend.AllocateIndices(count);
        _backend.UploadIndices(DataSplitter.Permutation(count, 2), _order);
        _x = _backend.Allocate(w.Batch * spec.Inputs);
        _t = _backend.Allocate(w.Batch * spec.Outputs);
        _batches = count / w.Batch;
    }

    [Benchmark]
    public void TrainingStep()
    {
        Workload w = Scenario.Workload;
        int first = _next++ % _batches * w.Batch;
        _backend.GatherRows(_data.Features.All, _data.Data.FeatureCount, _order, first, w.Batch, _x.All);
        _backend.GatherRows(_data.Targets.All, _data.Data.TargetCount, _order, first, w.Batch, _t.All);
        _network.TrainBatch(_x.All, _t.All, w.Batch);
        _backend.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _t.Dispose();
        _order.Dispose();
        _data.Dispose();
        _network.Dispose();
        _backend.Dispose();
    }
}
