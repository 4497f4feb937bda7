using FastNet.Distributed;
using Xunit;

namespace FastNet.Tests.Distributed;

/// <summary><see cref="RootInput"/>: rank 0 alone reads; every rank gets what it read.</summary>
public class RootInputTests
{
    [Fact]
    public void OneProcessReadsAndKeepsItsOwnValue()
    {
        int[] value = [1, 2, 3];
        int[] read = RootInput.Read(SingleProcess.Instance, () => value,
            _ => throw new InvalidOperationException("one process has nobody to send to"),
            _ => throw new InvalidOperationException("one process has nothing to receive"));
        Assert.Same(value, read);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void OnlyRankZeroReadsAndEveryRankGetsItsValue(int ranks)
    {
        int reads = 0;
        string[] values = InProcessCommunicator.Run(ranks, communicator => RootInput.Read(communicator,
            () =>
            {
                Interlocked.Increment(ref reads);
                return communicator.Rank == 0 ? "rank 0's file, é" : $"rank {communicator.Rank} opened the file";
            },
            System.Text.Encoding.UTF8.GetBytes, System.Text.Encoding.UTF8.GetString));
        Assert.Equal(1, reads);
        Assert.All(values, value => Assert.Equal("rank 0's file, é", value));
    }

    [Fact]
    public void AnEmptyValueTravelsToo()
    {
        byte[][] values = InProcessCommunicator.Run(2, communicator => RootInput.Read(communicator,
            () => communicator.Rank == 0 ? Array.Empty<byte>() : [9], bytes => bytes, bytes => bytes));
        Assert.All(values, Assert.Empty);
    }
}
