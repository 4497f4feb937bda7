using System.IO.Compression;

namespace FastNet.Data;

/// <summary>
/// Opens data files for reading, gzip or not: a file that starts with the gzip magic bytes 1f 8b is decompressed
/// whatever its name, so a renamed file still loads. Missing or unreadable files become
/// <see cref="DataFormatException"/>s naming the file.
/// </summary>
public static class DataFile
{
    /// <summary>True when <paramref name="prefix"/> starts with the gzip magic bytes.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> prefix) => prefix.Length >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b;

    /// <summary>A stream over the file's content, decompressed when it is gzip.</summary>
    /// <exception cref="DataFormatException">The file is missing or cannot be read.</exception>
    public static Stream OpenRead(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, e);
        }
        Span<byte> prefix = stackalloc byte[2];
        int read = file.ReadAtLeast(prefix, 2, throwOnEndOfStream: false);
        if (!IsGzip(prefix[..read]))
        {
            file.Position = 0;
            return file;
        }
        // The gzip trailer ends with the uncompressed size mod 2^32 (little-endian).
        Span<byte> trailer = stackalloc byte[4];
        file.Position = Math.Max(0, file.Length - 4);
        file.ReadAtLeast(trailer, 4, throwOnEndOfStream: false);
        file.Position = 0;
        return new SizeCheckedStream(new GZipStream(file, CompressionMode.Decompress), BitConverter.ToUInt32(trailer));
    }

    /// <summary>The whole (decompressed) content of the file.</summary>
    /// <exception cref="DataFormatException">The file is missing, unreadable or not valid gzip.</exception>
    public static byte[] ReadAllBytes(string path)
    {
        using Stream stream = OpenRead(path);
        if (stream is FileStream file)
        {
            byte[] bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            return bytes;
        }
        using var memory = new MemoryStream();
        try
        {
            stream.CopyTo(memory);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, "corrupt gzip data: " + e.Message, innerException: e);
        }
        return memory.ToArray();
    }

    /// <summary>The error for a file that cannot be opened, naming why.</summary>
    internal static DataFormatException Unreadable(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => new DataFormatException(path, "file not found", innerException: e),
        UnauthorizedAccessException => new DataFormatException(path, "permission denied", innerException: e),
        _ => new DataFormatException(path, "cannot read the file: " + e.Message, innerException: e),
    };

    /// <summary>
    /// GZipStream ends quietly when its input is cut short, which would drop the last rows of a CSV without a word;
    /// this compares the bytes that came out with the size in the gzip trailer and throws
    /// <see cref="InvalidDataException"/> when they differ. (A file of several concatenated gzip members only records
    /// its last member's size there, so such files are refused too.)
    /// </summary>
    private sealed class SizeCheckedStream(Stream inner, uint expectedSize) : Stream
    {
        private long _produced;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            _produced += n;
            if (n == 0 && buffer.Length > 0 && (uint)_produced != expectedSize)
            {
                throw new InvalidDataException(
                    $"the gzip data ends after {_produced} bytes, but its trailer says {expectedSize}: the file is truncated or corrupt");
            }
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
