using FastNet.Kernels.Cpu;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>The CPU backends' default thread count: every processor the process may use, but under an MPI launcher
/// no more than its share of the host, so ranks the launcher did not bind do not put several busy threads on a
/// core.</summary>
public class CpuThreadsTests
{
    [Theory]
    [InlineData(2, 2, null, 2)] // no launcher: all that may be used
    [InlineData(2, 2, 1, 2)] // one rank on the host
    [InlineData(2, 2, 2, 1)] // 2 unbound ranks (MPICH's default) on 2 cores
    [InlineData(64, 64, 4, 16)] // 4 unbound ranks on 64 cores
    [InlineData(1, 2, 2, 1)] // bound to a core each (Open MPI's default for 2 ranks)
    [InlineData(32, 64, 4, 16)] // 2 ranks bound to each of 2 sockets of 32 cores
    [InlineData(2, 2, 3, 1)] // more ranks than cores: one thread each
    [InlineData(8, null, 2, 8)] // the host's processors unknown: as without a launcher
    public void EachRankTakesAtMostItsShareOfTheHost(int usable, int? online, int? localRanks, int threads) =>
        Assert.Equal(threads, CpuThreads.For(usable, online, localRanks));

    [Fact]
    public void TheRanksOnTheHostComeFromOpenMpiOrHydra()
    {
        Assert.Null(CpuThreads.LocalRanks(_ => null));
        Assert.Equal(3, CpuThreads.LocalRanks(n => n == "OMPI_COMM_WORLD_LOCAL_SIZE" ? "3" : null));
        Assert.Equal(2, CpuThreads.LocalRanks(n => n == "MPI_LOCALNRANKS" ? "2" : null));
        Assert.Null(CpuThreads.LocalRanks(_ => "-2"));
        Assert.Null(CpuThreads.LocalRanks(_ => "0"));
    }

    [Theory]
    [InlineData("0-1\n", 2)]
    [InlineData("0", 1)]
    [InlineData("0-3,8-11", 8)]
    [InlineData("0,2,4-5", 4)]
    [InlineData("", null)]
    [InlineData("3-1", null)]
    [InlineData("0-a", null)]
    [InlineData("1-2-3", null)]
    public void TheKernelsCpuListIsCounted(string list, int? count) => Assert.Equal(count, CpuThreads.CountList(list));
}
