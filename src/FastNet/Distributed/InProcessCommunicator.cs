namespace FastNet.Distributed;

/// <summary>
/// N ranks as N threads of one process, for tests. An all-reduce, blocking or started, posts a copy of the rank's
/// values under its number in the rank's sequence of all-reduces and waits (at once, or in its request's Wait) until
/// every rank has posted that number; the sum is taken in a fixed order, rank 0 first, ((v₀ + v₁) + v₂) + …, by every
/// rank over the same posted copies, so every rank gets the same bits whatever the threads' timing, and a started
/// all-reduce the bits of a blocking one. A broadcast meets at a barrier. <see cref="Run{T}"/> starts the ranks; when
/// one fails the others are released from their waits instead of waiting for it.
/// </summary>
public sealed class InProcessCommunicator : ICommunicator
{
    private readonly Group _group;
    private long _allReduces; // all-reduces this rank has started: the next one's number

    private InProcessCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size => _group.Ranks;

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
        float[] buffer = values.ToArray();
        StartAllReduceSum(buffer).Wait();
        buffer.CopyTo(values);
    }

    /// <inheritdoc />
    public IAllReduceRequest StartAllReduceSum(Memory<float> values) =>
        new Request(_group, _group.Post(_allReduces++, Rank, values.ToArray()), values);
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

    private sealed class Group : IDisposable
    {
        private readonly Barrier _barrier;
        private readonly Dictionary<long, Exchange> _open = []; // the all-reduces some rank has not posted yet
        private readonly CancellationTokenRegistration _wake;

        public Group(int ranks)
        {
            Ranks = ranks;
            _barrier = new Barrier(ranks);
            _wake = Cancel.Token.Register(() =>
            {
                lock (_open)
                {
                    Monitor.PulseAll(_open); // the waiting ranks see the cancellation
                }
            });
        }

        public int Ranks { get; }

        public byte[] Bytes { get; set; } = [];

        public CancellationTokenSource Cancel { get; } = new();

        public void Meet() => _barrier.SignalAndWait(Cancel.Token);

        // Posts one rank's copy of all-reduce number `number`; the exchange is complete once every rank has posted.
        public Exchange Post(long number, int rank, float[] values)
        {
            lock (_open)
            {
                Cancel.Token.ThrowIfCancellationRequested();
                if (!_open.TryGetValue(number, out Exchange? exchange))
                {
                    _open[number] = exchange = new Exchange(Ranks);
                }
                exchange.Posted[rank] = values;
                if (++exchange.Arrived == Ranks)
                {
                    _open.Remove(number);
                    Monitor.PulseAll(_open);
                }
                return exchange;
            }
        }

        public bool Complete(Exchange exchange)
        {
            lock (_open)
            {
                return exchange.Arrived == Ranks;
            }
        }

        public void AwaitComplete(Exchange exchange)
        {
            lock (_open)
            {
                while (exchange.Arrived < Ranks)
                {
                    Cancel.Token.ThrowIfCancellationRequested();
                    Monitor.Wait(_open);
                }
            }
        }

        public void Dispose()
        {
            _wake.Dispose();
            _barrier.Dispose();
            Cancel.Dispose();
        }
    }

    // The copies the ranks posted for one all-reduce, by rank; read-only once every rank has posted.
    private sealed class Exchange(int ranks)
    {
        public float[][] Posted { get; } = new float[ranks][];

        public int Arrived { get; set; }
    }

    private sealed class Request(Group group, Exchange exchange, Memory<float> values) : IAllReduceRequest
    {
        private bool _done;

        public bool Test() => _done || group.Complete(exchange);

        public void Wait()
        {
            if (_done)
            {
                return;
            }
            group.AwaitComplete(exchange);
            Span<float> sum = values.Span;
            float[][] posted = exchange.Posted;
            for (int i = 0; i < sum.Length; i++)
            {
                float s = posted[0][i];
                for (int r = 1; r < posted.Length; r++)
                {
                    s += posted[r][i];
                }
                sum[i] = s;
            }
            _done = true;
        }
    }
}
