namespace FastNet.Data;

/// <summary>
/// Opens data files for reading, gzip or not: a file that starts with the gzip magic bytes 1f 8b is decompressed
/// whatever its name, so a renamed file still loads, and so does one given through a pipe (<c>&lt;(gzip -c ...)</c>,
/// standard input). Reads go through <see cref="GuardedFile"/>, so every problem (a missing file, a directory, a
/// device, corrupt or truncated gzip, content past the limit) is a <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class DataFile
{
    /// <summary>A stream over the file's content, decompressed when it is gzip, that refuses to yield more than
    /// <paramref name="limit"/> bytes.</summary>
    /// <exception cref="DataFormatException">The file is missing, unreadable or a directory (here), or while reading:
    /// corrupt, truncated, a device, or longer than the limit.</exception>
    public static GuardedStream OpenRead(string path, long limit) =>
        GuardedFile.OpenRead(path, limit, (problem, inner) => new DataFormatException(path, problem, innerException: inner));

    /// <summary>The error for a file that cannot be opened, naming why.</summary>
    internal static DataFormatException Unreadable(string path, Exception e) =>
        new(path, GuardedFile.Unreadable(e), innerException: e);
}
