using FastNet.Distributed;

namespace FastNet.Tests.Distributed;

/// <summary>A communicator that passes everything on to another and counts the all-reduces, blocking and started, so a
/// test can tell which way the gradient travelled.</summary>
internal sealed class CountingCommunicator(ICommunicator inner) : ICommunicator
{
    public int Blocking { get; private set; }

    public int Started { get; private set; }

    public int Rank => inner.Rank;

    public int Size => inner.Size;

    public void AllReduceSum(Span<float> values)
    {
        Blocking++;
        inner.AllReduceSum(values);
    }

    public IAllReduceRequest StartAllReduceSum(Memory<float> values)
    {
        Started++;
        return inner.StartAllReduceSum(values);
    }

    public void Broadcast(Span<byte> data, int root) => inner.Broadcast(data, root);

    public void Abort(int exitCode) => inner.Abort(exitCode);

    public void Dispose()
    {
    }
}
