using BenchmarkDotNet.Attributes;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Benchmarks;

/// <summary>
/// One training step exactly as the trainer runs it (<see cref="TrainingNetwork.TrainBatch"/> on a batch already on the
/// backend): dense forward through every layer, loss and its gradient, dense backward (no dX for the first layer), and
/// the optimizer (one pass over the flat parameter buffer, or fused into the backward pass for per-example SGD).
/// The case names the backend, the layer sizes, the hidden activation, the loss, the optimizer and the batch.
/// The reference runs only the cases it finishes in reasonable time (the per-sample work of batch 64 is that of 1024).
/// </summary>
[Config(typeof(RateConfig))]
public class TrainingStepBenchmark : IWork, IDisposable
{
    private IBackend? _backend;
    private readonly List<IDisposable> _buffers = [];
    private int[] _sizes = [];
    private Activation _hidden;
    private LossKind _loss;
    private OptimizerKind _optimizer;
    private int _batch;
    private TrainingNetwork? _network;
    private BufferView _x, _t;

    public static IEnumerable<string> CaseNames =>
    [
        "simd 784-1024-1024-10 sigmoid hse sgd 1024",
        "simd 784-1024-1024-10 relu ce adam 1024",
        "simd 784-1024-1024-10 sigmoid hse sgd 64",
        "simd 784-256-10 tanh ce sgd 64",
        "simd 784-128-10 sigmoid hse sgd 1",
        "reference 784-1024-1024-10 sigmoid hse sgd 64",
        "reference 784-128-10 sigmoid hse sgd 1",
    ];

    [ParamsSource(nameof(CaseNames))]
    public string Case { get; set; } = "simd 784-128-10 sigmoid hse sgd 1";

    public double Flops
    {
        get
        {
            Parse();
            double flops = 0;
            for (int l = 0; l + 1 < _sizes.Length; l++)
            {
                double gemm = 2.0 * _batch * _sizes[l] * _sizes[l + 1];
                flops += l == 0 ? 2 * gemm : 3 * gemm; // forward, dW, and dX above the first layer
            }
            return flops;
        }
    }

    public int Samples
    {
        get
        {
            Parse();
            return _batch;
        }
    }

    public int Threads => Case.StartsWith("reference", StringComparison.Ordinal) ? 1 : Environment.ProcessorCount;

    private void Parse()
    {
        string[] parts = Case.Split(' ');
        _sizes = [.. parts[1].Split('-').Select(int.Parse)];
        _hidden = Names.ParseActivation(parts[2]);
        _loss = parts[3] switch
        {
            "hse" => LossKind.HalfSquaredError,
            "mse" => LossKind.MeanSquaredError,
            _ => LossKind.SoftmaxCrossEntropy,
        };
        _optimizer = Enum.Parse<OptimizerKind>(parts[4], ignoreCase: true);
        _batch = int.Parse(parts[5], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GlobalSetup]
    public void Setup()
    {
        Parse();
        IBackend backend = _backend = Backends.Create(Case.Split(' ')[0]);
        Activation output = _loss == LossKind.SoftmaxCrossEntropy ? Activation.Identity : _hidden;
        var spec = new NetworkSpec(_sizes[0],
            [.. _sizes.Skip(1).Select((units, l) => new LayerSpec(units, l == _sizes.Length - 2 ? output : _hidden))]);
        Model.Model model = new Initializer(InitializerKind.Auto).Create(spec, new SeededRandom(1));
        _network = new TrainingNetwork(backend, model, _loss, new OptimizerSettings { Kind = _optimizer }.WithDefaults(),
            _batch);
        var random = new Random(1);
        _x = Add(backend.Allocate(_batch * _sizes[0])).All;
        backend.Upload([.. Enumerable.Range(0, _batch * _sizes[0]).Select(_ => (float)random.NextDouble())], _x);
        int outputs = _sizes[^1];
        float[] targets = new float[_batch * outputs];
        for (int r = 0; r < _batch; r++)
        {
            targets[r * outputs + random.Next(outputs)] = 1;
        }
        _t = Add(backend.Allocate(targets.Length)).All;
        backend.Upload(targets, _t);
    }

    private FloatBuffer Add(FloatBuffer buffer)
    {
        _buffers.Add(buffer);
        return buffer;
    }

    [Benchmark]
    public void Step()
    {
        _network!.TrainBatch(_x, _t, _batch);
        _backend!.Synchronize();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (IDisposable buffer in _buffers)
        {
            buffer.Dispose();
        }
        _buffers.Clear();
        _network?.Dispose();
        _network = null;
        _backend?.Dispose();
        _backend = null;
        GC.SuppressFinalize(this);
    }
}
