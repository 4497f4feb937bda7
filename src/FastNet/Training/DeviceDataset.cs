using FastNet.Data;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>A dataset copied to a backend once, so batches are gathered where the computation runs.</summary>
public sealed class DeviceDataset : IDisposable
{
    /// <summary>Uploads <paramref name="data"/> to <paramref name="backend"/>.</summary>
    public DeviceDataset(IBackend backend, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        Features = backend.Allocate(data.Features.Length);
        Targets = backend.Allocate(data.Targets.Length);
        backend.Upload(data.Features, Features.All);
        backend.Upload(data.Targets, Targets.All);
    }

    /// <summary>The host copy.</summary>
    public Dataset Data { get; }

    /// <summary>[Count, FeatureCount] on the backend.</summary>
    public FloatBuffer Features { get; }

    /// <summary>[Count, TargetCount] on the backend.</summary>
    public FloatBuffer Targets { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Targets.Dispose();
    }
}
