using FastNet.Distributed;
using Xunit;

namespace FastNet.Tests.Distributed;

/// <summary><see cref="Communicators.Barrier"/>: what rank 0 does before it is done on every rank after it, as the
/// ranks of an interrupted run wait there for rank 0's checkpoint.</summary>
public class BarrierTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void NoRankPassesBeforeRankZeroHasArrived(int ranks)
    {
        int saved = 0;
        int[] seen = InProcessCommunicator.Run(ranks, communicator =>
        {
            if (communicator.Rank == 0)
            {
                Thread.Sleep(200); // the others reach the barrier first
                Volatile.Write(ref saved, 1);
            }
            Communicators.Barrier(communicator);
            return Volatile.Read(ref saved);
        });
        Assert.All(seen, value => Assert.Equal(1, value));
    }
}
