using FastNet.Data;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>
/// The batches of a dataset that lives on a backend, taken in an index order that is uploaded once per epoch. A batch
/// of several rows is gathered on the backend into reused batch buffers; a batch of one row is the row itself, a
/// view of the dataset, so per-example training launches no copy at all. The features of a compact set
/// (<see cref="DeviceDataset.IsCompact"/>) are gathered and scaled on the host into a reused float batch, then
/// uploaded into the batch buffer.
/// </summary>
public sealed class BatchSource : IDisposable
{
    private readonly IBackend _backend;
    private readonly BufferView _features, _targets;
    private readonly int _featureCount, _targetCount;
    private readonly IndexBuffer _order;
    private readonly int[] _orderHost;
    private readonly FloatBuffer _batchFeatures, _batchTargets;
    private readonly Dataset? _compact;
    private readonly float[]? _hostBatch;

    /// <summary>Batches of up to <paramref name="maxBatch"/> rows of <paramref name="data"/>, compact or not.</summary>
    public BatchSource(IBackend backend, DeviceDataset data, int maxBatch)
        : this(backend, (data ?? throw new ArgumentNullException(nameof(data))).IsCompact ? default : data.Features.All,
            data.Data.FeatureCount, data.Targets.All, data.Data.TargetCount, maxBatch, data.IsCompact ? data.Data.Count : null)
    {
        if (data.IsCompact)
        {
            _compact = data.Data;
            _hostBatch = new float[maxBatch * data.Data.FeatureCount];
        }
    }

    /// <summary>
    /// Batches of up to <paramref name="maxBatch"/> rows of <paramref name="features"/> ([count, featureCount]) and
    /// <paramref name="targets"/> ([count, targetCount]), both on <paramref name="backend"/>.
    /// </summary>
    public BatchSource(IBackend backend, BufferView features, int featureCount, BufferView targets, int targetCount,
        int maxBatch)
        : this(backend, features, featureCount, targets, targetCount, maxBatch, null)
    {
    }

    // compactRows: the row count of a compact set, whose features are not on the backend (features is empty)
    private BatchSource(IBackend backend, BufferView features, int featureCount, BufferView targets, int targetCount,
        int maxBatch, int? compactRows)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        int count = compactRows ?? features.Length / featureCount;
        if ((compactRows is null && (long)count * featureCount != features.Length) || (long)count * targetCount != targets.Length)
        {
            throw new ArgumentException(
                $"{features.Length} feature and {targets.Length} target floats are not {featureCount} and "
                + $"{targetCount} per row of the same number of rows");
        }
        _backend = backend;
        _features = features;
        _targets = targets;
        _featureCount = featureCount;
        _targetCount = targetCount;
        _order = backend.AllocateIndices(count);
        _orderHost = new int[count];
        _batchFeatures = backend.Allocate(maxBatch * featureCount);
        _batchTargets = backend.Allocate(maxBatch * targetCount);
    }

    /// <summary>Rows in the dataset.</summary>
    public int Count => _orderHost.Length;

    /// <summary>Floats of the two batch buffers (the order adds <see cref="Count"/> ints).</summary>
    public long BatchFloats => (long)_batchFeatures.Length + _batchTargets.Length;

    /// <summary>Sets the order rows are taken in (a permutation of 0…Count−1) and uploads it.</summary>
    public void SetOrder(ReadOnlySpan<int> order)
    {
        if (order.Length != Count)
        {
            throw new ArgumentException($"an order of {order.Length} rows for a dataset of {Count}", nameof(order));
        }
        foreach (int row in order)
        {
            if ((uint)row >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(order), row, $"row index outside 0…{Count - 1}");
            }
        }
        order.CopyTo(_orderHost);
        _backend.UploadIndices(_orderHost, _order);
    }

    /// <summary>
    /// The batch of order positions <paramref name="first"/>…<paramref name="first"/>+<paramref name="rows"/>−1:
    /// [rows, featureCount] and [rows, targetCount]. The views stay valid until the next call.
    /// </summary>
    public (BufferView Features, BufferView Targets) Take(int first, int rows)
    {
        if (first < 0 || rows <= 0 || (long)first + rows > Count || rows * _featureCount > _batchFeatures.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(rows),
                $"rows [{first}, {first}+{rows}) of an order of {Count}, batches of at most "
                + $"{_batchFeatures.Length / _featureCount}");
        }
        if (_compact is not null)
        {
            BufferView features = _batchFeatures.Slice(0, rows * _featureCount);
            Span<float> host = _hostBatch.AsSpan(0, rows * _featureCount);
            _compact.GatherFeatures(_orderHost.AsSpan(first, rows), host);
            _backend.Upload(host, features);
            return (features, TakeTargets(first, rows));
        }
        if (rows == 1)
        {
            int row = _orderHost[first];
            return (_features.Slice(row * _featureCount, _featureCount), _targets.Slice(row * _targetCount, _targetCount));
        }
        BufferView x = _batchFeatures.Slice(0, rows * _featureCount);
        _backend.GatherRows(_features, _featureCount, _order, first, rows, x);
        return (x, TakeTargets(first, rows));
    }

    private BufferView TakeTargets(int first, int rows)
    {
        if (rows == 1)
        {
            int row = _orderHost[first];
            return _targets.Slice(row * _targetCount, _targetCount);
        }
        BufferView t = _batchTargets.Slice(0, rows * _targetCount);
        _backend.GatherRows(_targets, _targetCount, _order, first, rows, t);
        return t;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _order.Dispose();
        _batchFeatures.Dispose();
        _batchTargets.Dispose();
    }
}
