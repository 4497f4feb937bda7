using BenchmarkDotNet.Attributes;
using FastNet.Kernels;

namespace FastNet.Benchmarks;

/// <summary>
/// One training step on the backend's buffers, as the trainer runs it: dense forward through every layer, loss and
/// its gradient, dense backward (no dX for the first layer), one optimizer pass over the flat parameter buffer.
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
    private BufferView[] _w = [], _b = [], _dw = [], _db = [], _a = [], _d = [];
    private BufferView _parameters, _gradients, _state, _x, _t, _metrics;
    private OptimizerStep _step;

    public static IEnumerable<string> CaseNames =>
    [
        "simd 784-1024-1024-10 sigmoid hse sgd 1024",
        "simd 784-1024-1024-10 relu ce adam 1024",
        "simd 784-1024-1024-10 sigmoid hse sgd 64",
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
        _hidden = Enum.Parse<Activation>(parts[2], ignoreCase: true);
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
        IBackend backend = _backend = BackendRegistry.Create(Case.Split(' ')[0]);
        int layers = _sizes.Length - 1;
        int count = 0;
        for (int l = 0; l < layers; l++)
        {
            count += _sizes[l] * _sizes[l + 1] + _sizes[l + 1];
        }
        FloatBuffer parameters = Add(backend.Allocate(count)), gradients = Add(backend.Allocate(count));
        int slots = OptimizerStep.StateSlots(_optimizer);
        _state = slots == 0 ? BufferView.Empty : Add(backend.Allocate(slots * count)).All;
        _parameters = parameters.All;
        _gradients = gradients.All;
        var random = new Random(1);
        backend.Upload([.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * 0.1))],
            _parameters);
        (_w, _b, _dw, _db) = (new BufferView[layers], new BufferView[layers], new BufferView[layers], new BufferView[layers]);
        (_a, _d) = (new BufferView[layers], new BufferView[layers]);
        int offset = 0;
        for (int l = 0; l < layers; l++)
        {
            int weights = _sizes[l] * _sizes[l + 1];
            _w[l] = parameters.Slice(offset, weights);
            _dw[l] = gradients.Slice(offset, weights);
            offset += weights;
            _b[l] = parameters.Slice(offset, _sizes[l + 1]);
            _db[l] = gradients.Slice(offset, _sizes[l + 1]);
            offset += _sizes[l + 1];
            _a[l] = Add(backend.Allocate(_batch * _sizes[l + 1])).All;
            _d[l] = Add(backend.Allocate(_batch * _sizes[l + 1])).All;
        }
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
        _metrics = Add(backend.Allocate(2)).All;
        double product = 1;
        _step = OptimizerStep.Create(_optimizer, 0.01, 0.9, 0.9, 0.999, 1e-8, 0, 1, ref product);
    }

    private FloatBuffer Add(FloatBuffer buffer)
    {
        _buffers.Add(buffer);
        return buffer;
    }

    [Benchmark]
    public void Step()
    {
        IBackend backend = _backend!;
        int layers = _sizes.Length - 1;
        Activation output = _loss == LossKind.SoftmaxCrossEntropy ? Activation.Identity : _hidden;
        BufferView input = _x;
        for (int l = 0; l < layers; l++)
        {
            backend.DenseForward(input, _w[l], _b[l], _batch, _sizes[l], _sizes[l + 1],
                l == layers - 1 ? output : _hidden, _a[l]);
            input = _a[l];
        }
        backend.Loss(_a[^1], _t, _batch, _sizes[^1], _loss, _d[^1], _metrics);
        for (int l = layers - 1; l >= 0; l--)
        {
            backend.DenseBackward(l == 0 ? _x : _a[l - 1], _w[l], _a[l], _batch, _sizes[l], _sizes[l + 1],
                l == layers - 1 ? output : _hidden, _d[l], _dw[l], _db[l], l == 0 ? BufferView.Empty : _d[l - 1]);
        }
        backend.OptimizerStep(_gradients, _step, _parameters, _state);
        backend.Synchronize();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (IDisposable buffer in _buffers)
        {
            buffer.Dispose();
        }
        _buffers.Clear();
        _backend?.Dispose();
        _backend = null;
        GC.SuppressFinalize(this);
    }
}
