namespace FastNet.Distributed;

/// <summary>
/// N ranks as N threads of one process, for tests: the collectives meet at a barrier. The sum is taken in a fixed
/// order, rank 0 first, ((v₀ + v₁) + v₂) + …, by every rank over the same posted copies, so every rank gets the same
/// bits whatever the threads' timing. <see cref="Run{T}"/> starts the ranks; when one fails the others are released
/// from the barrier instead of waiting for it.
/// </summary>
public sealed class InProcessCommunicator : ICommunicator
{
    private readonly Group _group;

    private InProcessCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size => _group.Posted.Length;

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="ranks"/> threads, one communicator each, and returns each
    /// rank's result by rank. When a rank throws, the others are cancelled at their next collective and the first
    /// rank's exception (by rank) that is not that cancellation is rethrown.
    /// </summary>
    public static T[] Run<T>(int ranks, Func<ICommunicator, T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        using var group = new Group(ranks);
        var results = new T[ranks];
        var errors = new Exception?[ranks];
        Thread[] threads = [.. Enumerable.Range(0, ranks).Select(rank => new Thread(() =>
        {
            try
            {
                results[rank] = body(new InProcessCommunicator(group, rank));
            }
            catch (Exception e)
            {
                errors[rank] = e;
                group.Cancel.Cancel();
            }
        }))];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }
        foreach (Thread thread in threads)
        {
            thread.Join();
        }
        Exception? first = errors.FirstOrDefault(e => e is not null and not OperationCanceledException)
            ?? errors.FirstOrDefault(e => e is not null);
        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
        return results;
    }

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values)
    {
        _group.Posted[Rank] = values.ToArray();
        _group.Meet();
        for (int i = 0; i < values.Length; i++)
        {
            float sum = _group.Posted[0][i];
            for (int r = 1; r < Size; r++)
            {
                sum += _group.Posted[r][i];
            }
            values[i] = sum;
        }
        _group.Meet(); // nobody posts the next collective's values before every rank has read these
    }

    /// <inheritdoc />
    public void Broadcast(Span<byte> data, int root)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        if (Rank == root)
        {
            _group.Bytes = data.ToArray();
        }
        _group.Meet();
        if (Rank != root)
        {
            _group.Bytes.AsSpan().CopyTo(data);
        }
        _group.Meet();
    }

    /// <inheritdoc />
    public void Abort(int exitCode) => _group.Cancel.Cancel();

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Group(int ranks) : IDisposable
    {
        private readonly Barrier _barrier = new(ranks);

        public float[][] Posted { get; } = new float[ranks][];

        public byte[] Bytes { get; set; } = [];

        public CancellationTokenSource Cancel { get; } = new();

        public void Meet() => _barrier.SignalAndWait(Cancel.Token);

        public void Dispose()
        {
            _barrier.Dispose();
            Cancel.Dispose();
        }
    }
}
