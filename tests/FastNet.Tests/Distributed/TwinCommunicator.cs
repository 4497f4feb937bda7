using FastNet.Distributed;

namespace FastNet.Tests.Distributed;

/// <summary>Rank 0 of two ranks whose other rank is its exact twin: every all-reduce doubles the values (exact in
/// float32) and every broadcast is already done. One thread then runs a data-parallel trainer's whole path, its
/// collectives included, without a second rank to wait for; what it computes is the two-rank run of identical
/// slices, which is enough for a test that is about the path's cost, not its numbers.</summary>
internal sealed class TwinCommunicator : ICommunicator
{
    public int Rank => 0;

    public int Size => 2;

    public void AllReduceSum(Span<float> values)
    {
        foreach (ref float value in values)
        {
            value *= 2;
        }
    }

    public IAllReduceRequest StartAllReduceSum(Memory<float> values)
    {
        AllReduceSum(values.Span);
        return CompletedAllReduce.Instance;
    }

    public void Broadcast(Span<byte> data, int root)
    {
    }

    public void Abort(int exitCode) => throw new InvalidOperationException($"aborted with exit code {exitCode}");

    public void Dispose()
    {
    }
}
