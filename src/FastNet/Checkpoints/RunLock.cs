using System.Globalization;

namespace FastNet.Checkpoints;

/// <summary>
/// An exclusive claim on a checkpoint path for a run's lifetime, so two runs never overwrite each other's
/// checkpoints. The claim is the lock that <see cref="FileShare.None"/> takes on <c>.name.lock</c> beside the
/// checkpoint (an advisory <c>flock</c> on Linux): the system drops it when the process ends, even on kill -9, so a
/// lock file left behind never blocks a later run. The lock file stays (removing it would let a run that opened it
/// just before lock a file no one else sees); the holder's pid is kept in <c>.name.owner</c>, since another process
/// cannot read a file locked this way.
/// </summary>
public sealed class RunLock : IDisposable
{
    // EWOULDBLOCK on Linux and macOS, the sharing violation on Windows: what a lock held elsewhere looks like.
    private static readonly int[] HeldElsewhere = [11, 35, unchecked((int)0x80070020)];

    private readonly FileStream _lock;
    private readonly string _ownerPath;

    private RunLock(FileStream held, string ownerPath)
    {
        _lock = held;
        _ownerPath = ownerPath;
    }

    /// <summary>The lock file for <paramref name="checkpointPath"/>.</summary>
    public static string LockPathFor(string checkpointPath) => Beside(checkpointPath, "lock");

    /// <summary>Claims <paramref name="checkpointPath"/> or throws an <see cref="IOException"/> that names the path
    /// and the process holding it.</summary>
    public static RunLock Acquire(string checkpointPath)
    {
        string lockPath = LockPathFor(checkpointPath), ownerPath = Beside(checkpointPath, "owner");
        FileStream held;
        try
        {
            held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.GetType() == typeof(IOException) && HeldElsewhere.Contains(e.HResult))
        {
            throw new IOException($"{checkpointPath}: in use by another training run ({Owner(ownerPath)}); "
                + "wait for it to finish or choose another --checkpoint", e);
        }
        try
        {
            AtomicFile.WriteAllText(ownerPath, string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId}, started {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\n"));
        }
        catch
        {
            held.Dispose();
            throw;
        }
        return new RunLock(held, ownerPath);
    }

    /// <summary>Releases the claim.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_ownerPath); // still ours: no one else can write it while the lock is held
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a leftover owner file is rewritten by the next run that takes the lock
        }
        _lock.Dispose();
    }

    private static string Owner(string ownerPath)
    {
        try
        {
            return File.ReadAllText(ownerPath).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "its pid is not recorded yet";
        }
    }

    private static string Beside(string checkpointPath, string suffix)
    {
        string full = Path.GetFullPath(checkpointPath);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{suffix}");
    }
}
