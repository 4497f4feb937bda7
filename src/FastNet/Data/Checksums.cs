using System.Security.Cryptography;

namespace FastNet.Data;

/// <summary>MD5 digests as lowercase hex, the form the dataset tables use. MD5 only detects corruption here; it is
/// not a defence against tampering.</summary>
public static class Checksums
{
    /// <summary>MD5 of <paramref name="data"/>.</summary>
    public static string Md5Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(MD5.HashData(data));

    /// <summary>MD5 of the rest of <paramref name="stream"/>.</summary>
    public static string Md5Hex(Stream stream) => Convert.ToHexStringLower(MD5.HashData(stream));

    /// <summary>MD5 of a file's raw bytes (not decompressed).</summary>
    /// <exception cref="DataFormatException">The file is missing or unreadable.</exception>
    public static string Md5HexOfFile(string path)
    {
        try
        {
            using FileStream file = File.OpenRead(path);
            return Md5Hex(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataFile.Unreadable(path, e);
        }
    }
}
