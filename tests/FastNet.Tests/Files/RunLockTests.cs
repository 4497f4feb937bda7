using FastNet.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Files;

/// <summary>The claim a run holds on its checkpoint path.</summary>
public class RunLockTests
{
    [Fact]
    public void ASecondClaimFailsNamingThePathAndTheHolder()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        using RunLock first = RunLock.Acquire(checkpoint);

        var e = Assert.Throws<IOException>(() => RunLock.Acquire(checkpoint));

        Assert.StartsWith($"{checkpoint}: in use by another training run (pid {Environment.ProcessId}, started ",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReleasedClaimCanBeTakenAgainAndLeavesNoOwnerBehind()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        RunLock.Acquire(checkpoint).Dispose();

        Assert.False(File.Exists(dir.File(".run.ckpt.owner")));
        using RunLock again = RunLock.Acquire(checkpoint);
    }

    [Fact]
    public void LockAndOwnerFilesLeftByAKilledRunDoNotBlock()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        File.WriteAllText(RunLock.LockPathFor(checkpoint), "");
        dir.Write(".run.ckpt.owner", "pid 999999, started long ago\n");

        using RunLock claim = RunLock.Acquire(checkpoint);

        Assert.StartsWith($"pid {Environment.ProcessId},", File.ReadAllText(dir.File(".run.ckpt.owner")), StringComparison.Ordinal);
    }
}
