using FastNet.Benchmarking;
using FastNet.Distributed;
using FastNet.Kernels;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>The load the data-parallel bench reports: rank 0's machine, less the processor time of every rank on it,
/// from readings given by each rank's own sampler (nothing is timed).</summary>
public class DataParallelLoadTests
{
    private static readonly Workload Tiny =
        new("tiny", [4, 6, 3], Activation.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Sgd, 8);

    [Theory]
    // rank 1 in another process on rank 0's machine: its 1.5 cores are the measurement's, not other work
    [InlineData("m", 2, 4 - 1 - 1.5)]
    // rank 1 in rank 0's own process: its time is already in that process's counters
    [InlineData("m", 1, 4 - 1)]
    // rank 1 on another machine: rank 0's machine does not see it
    [InlineData("other", 2, 4 - 1)]
    public void RankZerosMachineLoadLeavesOutTheRanksOnIt(string rank1Machine, int rank1Process, double others)
    {
        // a second between readings; rank 0's machine 4 CPU-seconds busier, rank 0's process 1 of them
        MachineLoad[] loads = InProcessCommunicator.Run(2, communicator =>
        {
            bool root = communicator.Rank == 0;
            var sampler = new SteppingSampler(busyPerSecond: 4, ownPerSecond: root ? 1 : 1.5);
            RankPlace place = root ? new("m", 1) : new(rank1Machine, rank1Process);
            using IBackend backend = Backends.Create("reference");
            return DataParallelTimer.Run(backend, Tiny, communicator, 0.01, load: sampler, place: place).Load;
        });

        Assert.Equal(others, loads[0].OtherCores);
        Assert.Equal((4.0, 5.0), (loads[0].LoadAverageStart, loads[0].LoadAverageEnd));
        Assert.True(loads[0].Busy);
    }

    [Fact]
    public void ARankOnRankZerosMachineWithoutCountersMakesTheLoadUnknown()
    {
        MachineLoad[] loads = InProcessCommunicator.Run(2, communicator =>
        {
            bool root = communicator.Rank == 0;
            ILoadSampler sampler = root ? new SteppingSampler(busyPerSecond: 4, ownPerSecond: 1) : new UnknownSampler();
            using IBackend backend = Backends.Create("reference");
            return DataParallelTimer.Run(backend, Tiny, communicator, 0.01, load: sampler, place: new RankPlace("m", 1 + communicator.Rank)).Load;
        });

        Assert.Null(loads[0].OtherCores);
        Assert.False(loads[0].Busy);
        Assert.Equal("a rank on rank 0's machine could not read its processor time", loads[0].UnknownReason);
    }

    [Fact]
    public void OneProcessReportsTheMachineLessItsOwnTime()
    {
        using IBackend backend = Backends.Create("reference");
        MachineLoad load = DataParallelTimer.Run(backend, Tiny, SingleProcess.Instance, 0.01, load:
            new SteppingSampler(busyPerSecond: 0.55, ownPerSecond: 0.5)).Load;
        Assert.Equal(0.05, load.OtherCores!.Value, 12);
        Assert.False(load.Busy);
    }
}
