using System.Diagnostics;
using FastNet.Distributed;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>
/// The per-layer all-reduce of a data-parallel step (<see cref="GradientAllReduce.Layers"/>) of a gradient on the
/// network's backend (its accumulated gradient, or its gradient when a rank's slice is one pass). A host buffer holds each
/// layer's trained gradient in one piece, output layer first, then the stop flag with the input layer's; as soon as
/// the backward pass has finished a layer, its piece is downloaded and its all-reduce started, so it can travel while
/// the layers below are computed. <see cref="Finish"/> waits for them all and uploads the sums. Every rank starts the
/// same all-reduces in the same order, and each element is summed over the ranks as the flat all-reduce sums it.
/// </summary>
internal sealed class LayerBuckets
{
    private readonly TrainingNetwork _network;
    private readonly BufferView _gradient; // [TrainableCount] at least, summed in place
    private readonly ICommunicator _ranks;
    private readonly float[] _host;
    private readonly (int Start, int Length)[] _pieces; // by layer, in _host
    private readonly IAllReduceRequest?[] _pending; // by layer, started and not yet waited for

    public LayerBuckets(TrainingNetwork network, BufferView gradient, ICommunicator ranks)
    {
        _network = network;
        _gradient = gradient;
        _ranks = ranks;
        int layers = network.Spec.Layers.Count, at = 0;
        _pieces = new (int, int)[layers];
        _pending = new IAllReduceRequest?[layers];
        for (int l = layers - 1; l >= 0; l--)
        {
            int length = l == 0 ? 1 : 0; // the input layer's piece carries the stop flag
            foreach ((_, int count) in network.TrainableSlices(l))
            {
                length += count;
            }
            _pieces[l] = (at, length);
            at += length;
        }
        _host = new float[at];
    }

    /// <summary>Time spent in the communicator's calls (starting, moving on and waiting for the all-reduces) since
    /// this was made: the communication the backward pass did not hide.</summary>
    public long Ticks { get; private set; }

    /// <summary>Starts the all-reduce of layer <paramref name="layer"/>'s part of the gradient, which the
    /// backward pass has just finished; the input layer's (the last one started) carries <paramref name="stop"/>. The
    /// ones already in flight are moved on first.</summary>
    public void Start(int layer, bool stop)
    {
        (int start, int length) = _pieces[layer];
        int at = start;
        foreach ((int offset, int count) in _network.TrainableSlices(layer))
        {
            _network.Backend.Download(_gradient.Slice(offset, count), _host.AsSpan(at, count));
            at += count;
        }
        if (layer == 0)
        {
            _host[^1] = stop ? 1 : 0;
        }
        long begin = Stopwatch.GetTimestamp();
        foreach (IAllReduceRequest? inFlight in _pending)
        {
            inFlight?.Test();
        }
        _pending[layer] = _ranks.StartAllReduceSum(_host.AsMemory(start, length));
        Ticks += Stopwatch.GetTimestamp() - begin;
    }

    /// <summary>Waits for every layer's all-reduce, in the order they were started, and uploads each sum to the
    /// gradient; returns whether any rank asked to stop.</summary>
    public bool Finish()
    {
        for (int l = _pieces.Length - 1; l >= 0; l--)
        {
            IAllReduceRequest request = _pending[l]
                ?? throw new InvalidOperationException($"layer {l}'s all-reduce was never started");
            long begin = Stopwatch.GetTimestamp();
            request.Wait();
            Ticks += Stopwatch.GetTimestamp() - begin;
            _pending[l] = null;
            int at = _pieces[l].Start;
            foreach ((int offset, int count) in _network.TrainableSlices(l))
            {
                _network.Backend.Upload(_host.AsSpan(at, count), _gradient.Slice(offset, count));
                at += count;
            }
        }
        return _host[^1] > 0;
    }
}
