using System.Globalization;
using System.Text;

namespace FastNet.Data;

/// <summary>A member of an ar archive: its name and where its bytes lie in the archive.</summary>
/// <param name="Name">File name, without GNU ar's trailing '/'.</param>
/// <param name="Offset">Position of the first data byte.</param>
/// <param name="Size">Number of data bytes.</param>
public sealed record ArMember(string Name, long Offset, long Size);

/// <summary>
/// Reads the common ar format that .deb packages use: the magic <c>!&lt;arch&gt;\n</c>, then per member a 60-byte
/// text header (name 16, mtime 12, uid 6, gid 6, mode 8, decimal size 10, <c>`\n</c>) and the data, padded to an even
/// length.
/// </summary>
public static class ArArchive
{
    private const string Magic = "!<arch>\n";

    /// <summary>The members of the archive in <paramref name="archive"/> (a seekable stream);
    /// <paramref name="name"/> names it in messages.</summary>
    /// <exception cref="DataFormatException">Not an ar archive, or a header is corrupt or cut short.</exception>
    public static IReadOnlyList<ArMember> List(Stream archive, string name)
    {
        ArgumentNullException.ThrowIfNull(archive);
        byte[] header = new byte[60];
        archive.Position = 0;
        if (archive.ReadAtLeast(header.AsSpan(0, 8), 8, throwOnEndOfStream: false) != 8
            || Encoding.ASCII.GetString(header, 0, 8) != Magic)
        {
            throw new DataFormatException(name, "not an ar archive (expected the magic \"!<arch>\")");
        }
        var members = new List<ArMember>();
        long position = 8;
        while (position < archive.Length)
        {
            archive.Position = position;
            int read = archive.ReadAtLeast(header, 60, throwOnEndOfStream: false);
            if (read == 1 && header[0] == (byte)'\n')
            {
                break; // the last member's padding
            }
            string text = Encoding.ASCII.GetString(header, 0, read);
            if (read < 60 || text[58..60] != "`\n"
                || !long.TryParse(text.AsSpan(48, 10).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long size)
                || position + 60 + size > archive.Length)
            {
                throw new DataFormatException(name, $"corrupt or truncated ar header at byte {position}", record: members.Count + 1);
            }
            members.Add(new ArMember(text[..16].TrimEnd().TrimEnd('/'), position + 60, size));
            position += 60 + size + (size & 1);
        }
        return members;
    }
}
