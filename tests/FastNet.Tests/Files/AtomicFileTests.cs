using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Files;

/// <summary>Atomic writes: old content or new, no temporary file left by a failure or by a killed writer, and errors
/// that name the file the user asked for.</summary>
public class AtomicFileTests
{
    [Fact]
    public void AWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporary()
    {
        using var dir = new TempDirectory();
        string target = dir.Write("model.json", "old");

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));

        Assert.Equal("old", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        Assert.StartsWith($"{target}: cannot write the file (No space left on device", e.Message, StringComparison.Ordinal);
    }

    // A signal handler cancels from its own thread while the write goes on: the temporary file goes at once, so a
    // process ended before the write returns leaves none, and the target is never replaced.
    [Fact]
    public void ACanceledWriteRemovesItsTemporaryAtOnceAndLeavesTheOldFile()
    {
        using var dir = new TempDirectory();
        string target = dir.Write("p.csv", "old");
        using var cancel = new CancellationTokenSource();
        bool leftDuringWrite = true;

        Assert.Throws<OperationCanceledException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write(new byte[100_000]);
            cancel.Cancel();
            leftDuringWrite = File.Exists(AtomicFile.TemporaryFor(target, Environment.ProcessId));
            stream.Write(new byte[100_000]);
        }, cancel.Token));

        Assert.False(leftDuringWrite);
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void AWriteOverADirectoryNamesTheTargetNotTheTemporaryAndLeavesNothing()
    {
        using var dir = new TempDirectory();
        string target = dir.File("curve.png");
        Directory.CreateDirectory(target);

        var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(target, "png"));

        Assert.Contains(target, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void AnExceptionFromTheContentPassesThroughAndRemovesTheTemporary()
    {
        using var dir = new TempDirectory();
        string target = dir.File("model.json");

        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(target, _ => throw new InvalidOperationException("cannot save a non-finite parameter")));

        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void TheNextWriteRemovesTemporariesOfEndedProcessesOnly()
    {
        using var dir = new TempDirectory();
        string target = dir.File("run.ckpt");
        using var sleeping = ChildProcesses.Sleeping();
        string stale = dir.Write(Path.GetFileName(AtomicFile.TemporaryFor(target, ChildProcesses.EndedId())), "partial");
        string live = dir.Write(Path.GetFileName(AtomicFile.TemporaryFor(target, sleeping.Id)), "being written");
        string unrelated = dir.Write(".run.ckpt.backup.tmp", "not ours");
        string otherTarget = dir.Write(Path.GetFileName(AtomicFile.TemporaryFor(dir.File("other.ckpt"), ChildProcesses.EndedId())), "");

        AtomicFile.WriteAllText(target, "new");
        sleeping.Kill();

        Assert.Equal("new", File.ReadAllText(target));
        Assert.False(File.Exists(stale), "a killed writer's temporary file survived the next write");
        Assert.True(File.Exists(live), "a running writer's temporary file was removed");
        Assert.True(File.Exists(unrelated));
        Assert.True(File.Exists(otherTarget), "another target's temporary file is not this write's to remove");
    }

    [Fact]
    public void AProbeLeavesNothingAndRemovesStaleTemporaries()
    {
        using var dir = new TempDirectory();
        string target = dir.File("m.jsonl");
        dir.Write(Path.GetFileName(AtomicFile.TemporaryFor(target, ChildProcesses.EndedId())), "partial");

        AtomicFile.Probe(target);

        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AProbeWhereNoFileCanBeCreatedNamesTheTarget()
    {
        // /proc/self takes no new files, not even from root (tests may run as root, so permissions prove nothing).
        const string target = "/proc/self/fastnet-model.json";
        var e = Assert.Throws<IOException>(() => AtomicFile.Probe(target));
        Assert.StartsWith($"{target}: cannot write the file", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
    }
}
