using System.Buffers.Binary;
using System.IO.Compression;

namespace FastNet;

/// <summary>Makes the exception a loader throws for a file it cannot read; <paramref name="problem"/> says what is
/// wrong, without the file's name, which the loader adds.</summary>
public delegate Exception ReadError(string problem, Exception? inner);

/// <summary>
/// The one way loaders open their files, so that no input can make them read without end or fail unexplained: a
/// directory is refused by name, and the content comes through a <see cref="GuardedStream"/> that stops at the
/// caller's limit, refuses a file yielding more than its reported size (a device such as /dev/zero), and turns gzip
/// corruption, truncation and decompression bombs into the caller's exception type.
/// </summary>
public static class GuardedFile
{
    /// <summary>The content of the file at <paramref name="path"/>, decompressed when it starts with the gzip magic
    /// bytes 1f 8b (whatever its name, a pipe's too) and <paramref name="decompress"/> is set.</summary>
    /// <param name="path">The file.</param>
    /// <param name="limit">The most content bytes the caller accepts (after decompression): what the format
    /// declares, or the loader's documented maximum.</param>
    /// <param name="error">Makes the caller's exception for a problem.</param>
    /// <param name="decompress">False for formats that are never compressed (their bytes are read as they are).</param>
    /// <exception cref="Exception">Whatever <paramref name="error"/> makes: a missing, unreadable or non-regular file,
    /// a directory, here or while reading.</exception>
    public static GuardedStream OpenRead(string path, long limit, ReadError error, bool decompress = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        // Opening a directory fails with "access denied" on Linux, which would send the user after permissions.
        if (Directory.Exists(path))
        {
            throw error("is a directory, not a file", null);
        }
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw error(Unreadable(e), e);
        }
        try
        {
            return Open(file, limit, error, decompress);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>What went wrong when a file could not be opened, in words.</summary>
    public static string Unreadable(Exception e) => e switch
    {
        null => throw new ArgumentNullException(nameof(e)),
        FileNotFoundException or DirectoryNotFoundException => "file not found",
        UnauthorizedAccessException => "permission denied",
        _ => "cannot read the file: " + e.Message,
    };

    /// <summary>True when <paramref name="prefix"/> starts with the gzip magic bytes.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> prefix) => prefix.Length >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b;

    private static GuardedStream Open(FileStream file, long limit, ReadError error, bool decompress)
    {
        // A seekable file reports its size; a pipe does not, so it is bounded by the limit alone.
        long? size = file.CanSeek ? file.Length : null;
        if (!decompress)
        {
            return new GuardedStream(file, limit, error, size);
        }
        if (size is not long compressed)
        {
            return OpenPipe(file, limit, error);
        }
        Span<byte> prefix = stackalloc byte[2];
        int read = file.ReadAtLeast(prefix, 2, throwOnEndOfStream: false);
        if (!IsGzip(prefix[..read]))
        {
            file.Position = 0;
            return new GuardedStream(file, limit, error, size);
        }
        // The gzip trailer ends with the uncompressed size mod 2^32 (little-endian); a hint only, checked at the end.
        Span<byte> trailer = stackalloc byte[4];
        file.Position = Math.Max(0, compressed - 4);
        file.ReadAtLeast(trailer, 4, throwOnEndOfStream: false);
        file.Position = 0;
        var facts = new GzipFacts(compressed, BinaryPrimitives.ReadUInt32LittleEndian(trailer));
        return new GuardedStream(new GZipStream(file, CompressionMode.Decompress), limit, error, () => facts);
    }

    // A pipe cannot go back: its first two bytes, read to tell gzip, are handed back in front of the rest, and a gzip
    // trailer is known only once the pipe has ended (see PipeContent).
    private static GuardedStream OpenPipe(FileStream pipe, long limit, ReadError error)
    {
        byte[] first = new byte[2];
        int read;
        try
        {
            read = pipe.ReadAtLeast(first, first.Length, throwOnEndOfStream: false);
        }
        catch (IOException e)
        {
            throw error("cannot read the file: " + e.Message, e);
        }
        var content = new PipeContent(pipe, first[..read]);
        return IsGzip(first.AsSpan(0, read))
            ? new GuardedStream(new GZipStream(content, CompressionMode.Decompress), limit, error, () => content.Facts)
            : new GuardedStream(content, limit, error, fileSize: null);
    }
}
