using FastNet.Data;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>
/// A dataset made ready on a backend once, so batches are gathered where the computation runs. Float features and
/// the targets are copied to the backend; the features of a compact set (<see cref="Dataset.IsCompact"/>) stay on the
/// host in their storage type, and only the rows a batch takes are scaled and uploaded, so the set is held once.
/// </summary>
public sealed class DeviceDataset : IDisposable
{
    private readonly IBackend _backend;
    private readonly FloatBuffer? _features;
    private FloatBuffer? _rows;
    private float[]? _rowsHost;

    /// <summary>Uploads <paramref name="data"/> to <paramref name="backend"/>.</summary>
    public DeviceDataset(IBackend backend, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(data);
        _backend = backend;
        Data = data;
        if (!data.IsCompact)
        {
            _features = backend.Allocate(data.Features.Length);
            backend.Upload(data.Features, _features.All);
        }
        Targets = backend.Allocate(data.Targets.Length);
        backend.Upload(data.Targets, Targets.All);
    }

    /// <summary>The host copy.</summary>
    public Dataset Data { get; }

    /// <summary>True when the features stay compact on the host (read them with <see cref="Rows"/>).</summary>
    public bool IsCompact => _features is null;

    /// <summary>[Count, FeatureCount] on the backend.</summary>
    /// <exception cref="InvalidOperationException">The set is compact: its features are not on the backend.</exception>
    public FloatBuffer Features => _features
        ?? throw new InvalidOperationException($"{Data.Name} stays compact on the host: read its rows with {nameof(Rows)}");

    /// <summary>[Count, TargetCount] on the backend.</summary>
    public FloatBuffer Targets { get; }

    /// <summary>
    /// The features of rows <paramref name="first"/>…<paramref name="first"/>+<paramref name="rows"/>−1 on the backend,
    /// [rows, FeatureCount]: a view of the uploaded features, or for a compact set the rows scaled on the host and
    /// uploaded to a buffer kept for the purpose, valid until the next call.
    /// </summary>
    public BufferView Rows(int first, int rows)
    {
        int d = Data.FeatureCount;
        if (_features is not null)
        {
            return _features.Slice(first * d, rows * d);
        }
        if (_rows is null || _rows.Length < rows * d)
        {
            _rows?.Dispose();
            _rows = _backend.Allocate(rows * d);
            _rowsHost = new float[rows * d];
        }
        Span<float> host = _rowsHost.AsSpan(0, rows * d);
        Data.CopyFeatures(first, rows, host);
        BufferView view = _rows.Slice(0, rows * d);
        _backend.Upload(host, view);
        return view;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _features?.Dispose();
        _rows?.Dispose();
        Targets.Dispose();
    }
}
