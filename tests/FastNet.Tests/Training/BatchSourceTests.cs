using FastNet.Kernels;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>Batches come out in the order set, whether gathered (several rows) or read in place (one row).</summary>
public class BatchSourceTests
{
    private const int Count = 7, Features = 3, Targets = 2;

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void BatchesHoldTheRowsOfTheOrder(string backendName)
    {
        using IBackend backend = Backends.Create(backendName);
        float[] features = [.. Enumerable.Range(0, Count * Features).Select(i => i + 0.5f)];
        float[] targets = [.. Enumerable.Range(0, Count * Targets).Select(i => -i - 0.25f)];
        using FloatBuffer f = backend.Allocate(features.Length), t = backend.Allocate(targets.Length);
        backend.Upload(features, f.All);
        backend.Upload(targets, t.All);
        using var source = new BatchSource(backend, f.All, Features, t.All, Targets, maxBatch: 3);
        int[] order = [4, 0, 6, 2, 5, 1, 3];
        source.SetOrder(order);

        foreach ((int first, int rows) in new[] { (0, 3), (3, 1), (4, 2), (6, 1), (0, 1) })
        {
            (BufferView x, BufferView y) = source.Take(first, rows);
            Assert.Equal(rows * Features, x.Length);
            Assert.Equal(rows * Targets, y.Length);
            float[] xs = new float[x.Length], ys = new float[y.Length];
            backend.Download(x, xs);
            backend.Download(y, ys);
            for (int r = 0; r < rows; r++)
            {
                int row = order[first + r];
                Assert.Equal(features.AsSpan(row * Features, Features).ToArray(), xs.AsSpan(r * Features, Features).ToArray());
                Assert.Equal(targets.AsSpan(row * Targets, Targets).ToArray(), ys.AsSpan(r * Targets, Targets).ToArray());
            }
        }
    }

    [Fact]
    public void OrdersAndRangesOutsideTheDatasetAreRejected()
    {
        using IBackend backend = Backends.Create("reference");
        using FloatBuffer f = backend.Allocate(Count * Features), t = backend.Allocate(Count * Targets);
        using var source = new BatchSource(backend, f.All, Features, t.All, Targets, maxBatch: 3);
        Assert.Contains("6 rows", Assert.Throws<ArgumentException>(() => source.SetOrder(new int[6])).Message,
            StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.SetOrder([0, 1, 2, 3, 4, 5, 7]));
        source.SetOrder([0, 1, 2, 3, 4, 5, 6]);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Take(5, 3)); // past the end
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Take(0, 4)); // larger than the batch buffers
        Assert.Throws<ArgumentException>(() => new BatchSource(backend, f.All, Features, t.Slice(0, 13), Targets, 3));
    }
}
