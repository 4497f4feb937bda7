using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace FastNet;

/// <summary>
/// Writes files so that readers see the old content or the new, never a partial one. The new content goes to
/// <c>.name.&lt;pid&gt;.tmp</c> beside the target; a temporary file whose process no longer runs (killed mid-write)
/// is removed by the next process that writes or probes the same target, so interrupted writes leave no litter.
/// </summary>
public static class AtomicFile
{
    // Targets whose stale temporaries this process has removed: once is enough, and a checkpoint may be written
    // many times a second.
    private static readonly ConcurrentDictionary<string, bool> Cleaned = new(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="text"/> to a temporary file in the target's directory, flushes it to disk and
    /// renames it over <paramref name="path"/>. On failure the temporary file is removed and the target is untouched.</summary>
    public static void WriteAllText(string path, string text) => WriteAllText(path, text, CancellationToken.None);

    /// <summary><see cref="WriteAllText(string, string)"/> that <paramref name="cancel"/> can stop before the rename,
    /// as <see cref="Write(string, Action{Stream}, CancellationToken)"/> does.</summary>
    public static void WriteAllText(string path, string text, CancellationToken cancel) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        }, cancel);

    /// <summary>Same as <see cref="WriteAllText(string, string)"/> for content produced by <paramref name="write"/>. File system
    /// errors come as an <see cref="IOException"/> that names <paramref name="path"/>, never the temporary file;
    /// an exception thrown by <paramref name="write"/> itself passes through unchanged.</summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, CancellationToken.None);

    /// <summary><see cref="Write(string, Action{Stream})"/> that <paramref name="cancel"/> stops: canceled before the
    /// rename, the temporary file is removed at once, by the canceling thread (a write stuck on a slow disk leaves
    /// none behind if the process is then killed), the target stays as it was, and an
    /// <see cref="OperationCanceledException"/> follows once <paramref name="write"/> returns. Canceled after the
    /// rename, the write is complete and returns normally.</summary>
    public static void Write(string path, Action<Stream> write, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        if (Cleaned.TryAdd(full, true))
        {
            RemoveStaleTemporaries(full);
        }
        cancel.ThrowIfCancellationRequested();
        string temporary = TemporaryFor(full, Environment.ProcessId);
        try
        {
            using (cancel.Register(() => TryDelete(temporary)))
            {
                using (var stream = new FileWriteErrors(new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None)))
                {
                    write(stream);
                    stream.FlushToDisk(true);
                }
                cancel.ThrowIfCancellationRequested();
                File.Move(temporary, full, overwrite: true);
            }
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            // the cancellation's removal of the temporary file fails what comes after it (the rename)
            if (cancel.IsCancellationRequested && e is not OperationCanceledException)
            {
                throw new OperationCanceledException($"{path}: the write was canceled", e, cancel);
            }
            if (e is IOException or UnauthorizedAccessException)
            {
                throw CannotWrite(path, temporary, e);
            }
            throw;
        }
    }

    /// <summary>Creates, flushes and removes the temporary file a write of <paramref name="path"/> would use, so an
    /// unwritable directory or a full disk shows before any work rather than at the end of it. Removes stale
    /// temporary files of the target first. Throws an <see cref="IOException"/> naming <paramref name="path"/>.</summary>
    public static void Probe(string path)
    {
        string full = Path.GetFullPath(path);
        RemoveStaleTemporaries(full);
        string temporary = TemporaryFor(full, Environment.ProcessId);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.WriteByte(0); // an empty file can be created on a full disk; a byte that reaches it cannot
                stream.Flush(flushToDisk: true);
            }
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw CannotWrite(path, temporary, e);
        }
    }

    /// <summary>Removes the temporary files of <paramref name="path"/> left by processes that no longer run;
    /// returns how many. Files of running processes are theirs and stay.</summary>
    public static int RemoveStaleTemporaries(string path)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            return 0;
        }
        string prefix = $".{Path.GetFileName(full)}.";
        int removed = 0;
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(directory, "*.tmp"))
            {
                string name = Path.GetFileName(candidate);
                if (name.StartsWith(prefix, StringComparison.Ordinal)
                    && int.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - ".tmp".Length),
                        NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                    && pid != Environment.ProcessId && !IsRunning(pid) && TryDelete(candidate))
                {
                    removed++;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // an unlistable directory: the write that follows reports the problem with the target's name
        }
        return removed;
    }

    /// <summary>The temporary file that process <paramref name="processId"/> writes <paramref name="path"/> through.</summary>
    public static string TemporaryFor(string path, int processId)
    {
        string full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!,
            string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(full)}.{processId}.tmp"));
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // The system's message names the temporary file, which the user never asked for; name the target instead.
    private static IOException CannotWrite(string path, string temporary, Exception e) =>
        new($"{path}: cannot write the file ({e.Message.Replace(temporary, path, StringComparison.Ordinal)})", e);
}
