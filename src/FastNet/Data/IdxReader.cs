using System.Buffers.Binary;
using System.Globalization;

namespace FastNet.Data;

/// <summary>Images read from an IDX file: <see cref="Pixels"/> is [Count, Rows·Columns], values 0..255.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Columns">Image width.</param>
/// <param name="Pixels">Row-major pixel values, as stored.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST, raw or gzip (recognised by its magic bytes, whatever the name):
/// a big-endian int32 magic (0x00000803 for unsigned-byte images of 3 dimensions, 0x00000801 for labels), the
/// dimension sizes as big-endian int32, then the unsigned bytes row-major. The header is read first and bounds the
/// rest: exactly the declared body is read (at most <see cref="MaxBodyBytes"/>), and a file with less or more is
/// refused.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional (images) IDX file.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte, 1-dimensional (labels) IDX file.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The largest body a header may declare: 1 GiB, some 20 times MNIST's training images.</summary>
    public const long MaxBodyBytes = 1L << 30;

    /// <summary>The largest IDX file read (decompressed): the longest header and <see cref="MaxBodyBytes"/>.</summary>
    public const long MaxFileBytes = 16 + MaxBodyBytes;

    /// <summary>Reads an images file.</summary>
    /// <exception cref="DataFormatException">Missing file, corrupt gzip, wrong magic, zero sizes, a declared size
    /// over <see cref="MaxBodyBytes"/>, or a size that does not match the header (truncated or with trailing
    /// bytes).</exception>
    public static IdxImages ReadImages(string path)
    {
        using GuardedStream stream = DataFile.OpenRead(path, MaxFileBytes);
        return ReadImages(stream, path);
    }

    /// <summary>Reads an images file from the rest of <paramref name="content"/>, opened by
    /// <see cref="DataFile.OpenRead"/> with a limit of <see cref="MaxFileBytes"/> (e.g. after a
    /// <see cref="GuardedStream.Peek"/> at its first bytes); <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">As for <see cref="ReadImages(string)"/>.</exception>
    public static IdxImages ReadImages(GuardedStream content, string path)
    {
        ArgumentNullException.ThrowIfNull(content);
        ReadOnlySpan<int> dims = Header(path, content, ImagesMagic, "images", stackalloc int[3]);
        int count = dims[0], rows = dims[1], columns = dims[2];
        // Three int32 sizes can multiply past a long.
        byte[] body = Body(path, content, 16, (Int128)count * rows * columns, $"{count} images of {rows}×{columns}");
        return new IdxImages(count, rows, columns, body);
    }

    /// <summary>The number of images an images file's header declares, read without its body.</summary>
    /// <exception cref="DataFormatException">Missing file, corrupt gzip, wrong magic or a bad header.</exception>
    public static int DeclaredImages(string path)
    {
        using GuardedStream stream = DataFile.OpenRead(path, MaxFileBytes);
        return Header(path, stream, ImagesMagic, "images", stackalloc int[3])[0];
    }

    /// <summary>Reads a labels file.</summary>
    /// <exception cref="DataFormatException">As for <see cref="ReadImages(string)"/>.</exception>
    public static byte[] ReadLabels(string path)
    {
        using GuardedStream stream = DataFile.OpenRead(path, MaxFileBytes);
        int count = Header(path, stream, LabelsMagic, "labels", stackalloc int[1])[0];
        return Body(path, stream, 8, count, $"{count} labels");
    }

    /// <summary>Reads an images file and its labels file into a compact classification set with
    /// <paramref name="classCount"/> classes and pixel features 0..255 (unscaled) kept as bytes.</summary>
    /// <exception cref="DataFormatException">Either file is bad, their counts differ, or a label is not below
    /// <paramref name="classCount"/> (the message names the record).</exception>
    public static Dataset Load(string imagesPath, string labelsPath, int classCount = 10, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        IdxImages images = ReadImages(imagesPath);
        byte[] raw = ReadLabels(labelsPath);
        if (raw.Length != images.Count)
        {
            throw new DataFormatException(labelsPath, $"{raw.Length} labels, but {imagesPath} holds {images.Count} images");
        }
        int[] labels = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] >= classCount)
            {
                throw new DataFormatException(labelsPath,
                    $"label {raw[i]} is out of range: expected 0..{classCount - 1} ({classCount} classes)", record: i + 1);
            }
            labels[i] = raw[i];
        }
        return new Dataset(name ?? Path.GetFileName(imagesPath), images.Rows * images.Columns, images.Pixels,
            classCount, Dataset.OneHot(labels, classCount), classCount, labels);
    }

    private static Span<int> Header(string path, GuardedStream stream, int magic, string kind, Span<int> dims)
    {
        int headerBytes = 4 + 4 * dims.Length;
        Span<byte> header = stackalloc byte[headerBytes];
        int read = stream.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false);
        if (read < 4)
        {
            throw new DataFormatException(path, $"truncated: expected at least 4 bytes (the magic number), found {read}");
        }
        int found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found != magic)
        {
            string hint = found switch
            {
                ImagesMagic => " (an images file)",
                LabelsMagic => " (a labels file)",
                _ => "",
            };
            throw new DataFormatException(path, $"expected the IDX {kind} magic 0x{magic:x8}, found 0x{found:x8}{hint}");
        }
        read += stream.ReadAtLeast(header[4..], headerBytes - 4, throwOnEndOfStream: false);
        if (read < headerBytes)
        {
            throw new DataFormatException(path, $"truncated: expected a {headerBytes}-byte header, found {read} bytes");
        }
        for (int d = 0; d < dims.Length; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(header[(4 + 4 * d)..]);
            if (dims[d] <= 0)
            {
                throw new DataFormatException(path, $"dimension {d + 1} of the header is {dims[d]}: expected a positive size");
            }
        }
        return dims;
    }

    // Reads exactly the declared body: its size is checked against the limit and, where known, the file's size before
    // anything is allocated, and one byte more must not exist.
    private static byte[] Body(string path, GuardedStream stream, int headerBytes, Int128 declared, string what)
    {
        if (declared > MaxBodyBytes)
        {
            throw new DataFormatException(path,
                $"the header declares {what}, {declared} bytes, more than the limit of {MaxBodyBytes}");
        }
        long bodyBytes = (long)declared;
        long expected = headerBytes + bodyBytes;
        if (stream.ContentLength is long length && length != expected)
        {
            throw SizeMismatch(path, expected, length, what);
        }
        byte[] body = stream.ReadUpTo(bodyBytes);
        if (body.Length < bodyBytes)
        {
            throw SizeMismatch(path, expected, headerBytes + body.Length, what);
        }
        if (stream.ReadByte() >= 0)
        {
            throw SizeMismatch(path, expected, null, what);
        }
        return body;
    }

    // found is null when the content goes on past the expected size (its full length is not read).
    private static DataFormatException SizeMismatch(string path, long expected, long? found, string what) =>
        found < expected
            ? new DataFormatException(path, $"truncated: expected {expected} bytes ({what}), found {found}")
            : new DataFormatException(path,
                $"trailing bytes: expected {expected} bytes ({what}), found {found?.ToString(CultureInfo.InvariantCulture) ?? "more"}");
}
