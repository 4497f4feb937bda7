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
        file.Position = 0;
        return IsGzip(prefix[..read]) ? new GZipStream(file, CompressionMode.Decompress) : file;
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
}
