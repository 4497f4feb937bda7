namespace FastNet.Distributed;

/// <summary>
/// The ranks of a data-parallel run as the trainer sees them: who am I, how many are we, and the collectives it needs.
/// Every rank calls each collective in the same order with buffers of the same length (a started all-reduce counts
/// where it is started); a collective returns on a rank once its part is done. An implementation gives every rank
/// exactly the same bits from <see cref="AllReduceSum"/> and <see cref="StartAllReduceSum"/>, so ranks that apply the
/// same step to the same parameters stay bit-identical.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's (or thread's) rank, 0 to <see cref="Size"/> − 1; rank 0 alone writes outputs.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>values ← Σ_ranks values, elementwise in float32; overwrites, on every rank.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>
    /// <see cref="AllReduceSum"/> without waiting: returns at once, and <paramref name="values"/> holds the sum when the
    /// returned request's <see cref="IAllReduceRequest.Wait"/> has returned. The caller leaves
    /// <paramref name="values"/> alone until then, and waits for every request it starts. Every rank gets the same
    /// bits, as from <see cref="AllReduceSum"/>.
    /// </summary>
    IAllReduceRequest StartAllReduceSum(Memory<float> values);

    /// <summary>data ← rank <paramref name="root"/>'s data; overwrites on every other rank.</summary>
    void Broadcast(Span<byte> data, int root);

    /// <summary>Ends every rank of the run with <paramref name="exitCode"/> after an error on this one, so the others
    /// do not wait for it forever. Does not return where it ends the process.</summary>
    void Abort(int exitCode);
}

/// <summary>One process on its own: the collectives have nothing to do. Training with it is training without
/// data parallelism.</summary>
public sealed class SingleProcess : ICommunicator
{
    /// <summary>The one instance.</summary>
    public static SingleProcess Instance { get; } = new();

    private SingleProcess()
    {
    }

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int Size => 1;

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values)
    {
    }

    /// <inheritdoc />
    public IAllReduceRequest StartAllReduceSum(Memory<float> values) => CompletedAllReduce.Instance;

    /// <inheritdoc />
    public void Broadcast(Span<byte> data, int root) => ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);

    /// <inheritdoc />
    public void Abort(int exitCode)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
