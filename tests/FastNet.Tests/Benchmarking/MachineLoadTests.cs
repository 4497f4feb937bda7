using System.Diagnostics;
using FastNet.Benchmarking;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>The load <c>fastnet bench</c> reports: <c>/proc</c> parsed from samples in the kernel's own format, and
/// the rule that calls a measurement busy.</summary>
public class MachineLoadTests
{
    // taken from a 2-core Linux machine under load
    private const string LoadAvg = "223.10 145.49 63.14 62/821 13049\n";
    private const string Stat = "cpu  75128 3 26659 37772 175 11 203 7 0 0\n"
        + "cpu0 37976 0 12776 19144 23 0 44 0 0 0\n"
        + "cpu1 37152 3 13883 18628 151 11 159 7 0 0\n"
        + "intr 556270 0 0 0\nctxt 1918734\nbtime 1796201000\nprocesses 13211\nprocs_running 3\n";
    // a command name with a space and a parenthesis, as a thread may be named; utime 1234, stime 56
    private const string SelfStat = "13049 (Fast Net) x) R 9502 13049 9502 0 -1 4194304 21837 0 0 0 1234 56 0 0 20 0 "
        + "8 0 57211 3254706176 13689 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0\n";

    [Fact]
    public void TheLoadAverageIsTheFirstFieldOfLoadavg()
    {
        Assert.Equal(223.10, ProcCounters.LoadAverage(LoadAvg));
        Assert.Throws<FormatException>(() => ProcCounters.LoadAverage(""));
    }

    [Fact]
    public void BusyTicksAreEveryCounterOfTheCpuLineButIdleAndIowait()
    {
        // user 75128 + nice 3 + system 26659 + irq 11 + softirq 203 + steal 7; idle 37772 and iowait 175 left out, and
        // guest (already inside user) too
        Assert.Equal(102_011, ProcCounters.BusyTicks(Stat));
        // an older kernel's line without steal and guest
        Assert.Equal(10 + 2 + 5 + 1 + 1, ProcCounters.BusyTicks("cpu  10 2 5 100 3 1 1\n"));
        Assert.Throws<FormatException>(() => ProcCounters.BusyTicks("cpu0 1 2 3 4 5 6 7\n"));
    }

    [Fact]
    public void TotalTicksAreBusyAndIdleAndTheProcessorsAreTheCpuNLines()
    {
        Assert.Equal(102_011 + 37772 + 175, ProcCounters.TotalTicks(Stat));
        Assert.Equal(2, ProcCounters.Processors(Stat));
        Assert.Throws<FormatException>(() => ProcCounters.Processors("cpu  10 2 5 100 3 1 1\n"));
    }

    [Fact]
    public void OwnTicksAreUserPlusSystemAfterTheCommandName()
    {
        Assert.Equal(1234 + 56, ProcCounters.OwnTicks(SelfStat));
        Assert.Throws<FormatException>(() => ProcCounters.OwnTicks("13049 (short) R 1 2 3"));
    }

    [Fact]
    public void ProcCountersReadTheThreeFilesInSecondsAndNullWhereThereAreNone()
    {
        using var dir = new TempDirectory();
        dir.Write("loadavg", LoadAvg);
        dir.Write("stat", Stat);
        Directory.CreateDirectory(dir.File("self"));
        dir.Write(Path.Combine("self", "stat"), SelfStat);

        CpuCounters counters = Assert.NotNull(new ProcCounters(dir.Path).Read());
        Assert.Equal(223.10, counters.LoadAverage);
        Assert.Equal(1020.11, counters.MachineBusySeconds, 9);
        Assert.Equal(1399.58, counters.MachineSeconds, 9);
        Assert.Equal(2, counters.Processors);
        Assert.Equal(12.90, counters.OwnSeconds, 9);

        var missing = new ProcCounters(dir.File("absent"));
        Assert.Null(missing.Read());
        Assert.Contains("not available", missing.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherProcessesAreTheMachinesBusyTimeLessOursPerSecond()
    {
        // over 2 s the machine was busy 3.0 s, of which this process 2.6 s: others took 0.2 cores
        MachineLoad load = MachineLoad.Between(At(0, 1.5, 100, 10), At(2, 1.7, 103, 12.6), "unused");
        Assert.Equal(0.2, Assert.NotNull(load.OtherCores), 9);
        Assert.Equal(1.5, load.LoadAverageStart);
        Assert.Equal(1.7, load.LoadAverageEnd);
        Assert.Equal(2, load.Seconds, 9);
        Assert.True(load.Busy);
        Assert.Null(load.UnknownReason);
    }

    [Theory]
    [InlineData(0.05, false)]
    [InlineData(0.1, false)]
    [InlineData(0.125, true)]
    [InlineData(1.5, true)]
    public void BusyMeansOtherProcessesTookMoreThanATenthOfACore(double otherCores, bool busy)
    {
        // 4 s measured; this process ran 7 s of it on two threads
        MachineLoad load = MachineLoad.Between(At(0, 0, 50, 20), At(4, 0, 50 + 7 + otherCores * 4, 27), "unused");
        Assert.Equal(otherCores, Assert.NotNull(load.OtherCores), 9);
        Assert.Equal(busy, load.Busy);
    }

    [Fact]
    public void CountersThatTickApartNeverGiveNegativeCores()
    {
        // the process's own accounting ran ahead of the machine's by a tick
        MachineLoad load = MachineLoad.Between(At(0, 0, 10, 5), At(1, 0, 11.99, 7), "unused");
        Assert.Equal(0, load.OtherCores);
        Assert.False(load.Busy);
    }

    [Fact]
    public void OtherProcessesNeverTakeMoreThanTheMachine()
    {
        // 0.6 s by the clock on 2 processors whose ticks read 0.65 s each, all busy with other processes: the busy
        // time over the clock's time alone would say 2.17 cores
        var start = new CpuCounters(0, 10, 1000, 2, 5, 0);
        var end = new CpuCounters(0, 11.3, 1001.3, 2, 5, (long)(0.6 * Stopwatch.Frequency));
        Assert.Equal(2, Assert.NotNull(MachineLoad.Between(start, end, "unused").OtherCores), 9);
    }

    [Fact]
    public void AMeasurementTooShortForTheTicksHasNoFigureAndIsNotBusy()
    {
        MachineLoad load = MachineLoad.Between(At(0, 1, 10, 5), At(0.2, 1, 10.8, 5), "unused");
        Assert.Null(load.OtherCores);
        Assert.False(load.Busy);
        Assert.Contains("0.20 s is too short", load.UnknownReason, StringComparison.Ordinal);
        Assert.Equal(1, load.LoadAverageStart);
    }

    [Fact]
    public void AMissingReadingMakesTheLoadUnknownAndNotBusy()
    {
        MachineLoad load = MachineLoad.Between(null, At(1, 0, 1, 1), "no /proc here");
        Assert.Null(load.OtherCores);
        Assert.Null(load.LoadAverageStart);
        Assert.Equal("no /proc here", load.UnknownReason);
        Assert.False(load.Busy);
    }

    // a reading `seconds` in, on a machine of 4 processors that had counted 1000 processor-seconds before
    private static CpuCounters At(double seconds, double loadAverage, double machineBusy, double own) =>
        new(loadAverage, machineBusy, 1000 + seconds * 4, 4, own, (long)(seconds * Stopwatch.Frequency));
}
