namespace FastNet.Distributed;

/// <summary>
/// An all-reduce started by <see cref="ICommunicator.StartAllReduceSum"/> and not yet waited for. Its buffer holds the
/// sum once <see cref="Wait"/> has returned; until then the buffer belongs to the communicator.
/// </summary>
public interface IAllReduceRequest
{
    /// <summary>Lets the library move the all-reduce on without waiting for it (Open MPI progresses a non-blocking
    /// collective only inside its calls); true once it is complete. <see cref="Wait"/> must still be called.</summary>
    bool Test();

    /// <summary>Returns once the sum is in the buffer, on this rank. Called once: the request then belongs to the
    /// communicator again, which may start it anew for a later all-reduce, so the caller drops it.</summary>
    void Wait();
}

/// <summary>An all-reduce that was complete when it started (one rank: the sum is the buffer itself).</summary>
public sealed class CompletedAllReduce : IAllReduceRequest
{
    /// <summary>The one instance.</summary>
    public static CompletedAllReduce Instance { get; } = new();

    private CompletedAllReduce()
    {
    }

    /// <inheritdoc />
    public bool Test() => true;

    /// <inheritdoc />
    public void Wait()
    {
    }
}
