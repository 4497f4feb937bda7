using System.Buffers.Binary;

namespace FastNet.Data;

/// <summary>Images read from an IDX file: <see cref="Pixels"/> is [Count, Rows·Columns], values 0..255.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Columns">Image width.</param>
/// <param name="Pixels">Row-major pixel values as floats, unscaled.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, float[] Pixels);

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST, raw or gzip (recognised by its magic bytes, whatever the name):
/// a big-endian int32 magic (0x00000803 for unsigned-byte images of 3 dimensions, 0x00000801 for labels), the
/// dimension sizes as big-endian int32, then the unsigned bytes row-major. The file size must match the header
/// exactly.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional (images) IDX file.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte, 1-dimensional (labels) IDX file.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an images file.</summary>
    /// <exception cref="DataFormatException">Missing file, corrupt gzip, wrong magic, zero sizes, or a size that does
    /// not match the header (truncated or with trailing bytes).</exception>
    public static IdxImages ReadImages(string path)
    {
        byte[] content = DataFile.ReadAllBytes(path);
        ReadOnlySpan<int> dims = Header(path, content, ImagesMagic, "images", stackalloc int[3]);
        int count = dims[0], rows = dims[1], columns = dims[2];
        ReadOnlySpan<byte> body = Body(path, content, 16, (long)count * rows * columns,
            $"{count} images of {rows}×{columns}");
        float[] pixels = new float[body.Length];
        for (int i = 0; i < body.Length; i++)
        {
            pixels[i] = body[i];
        }
        return new IdxImages(count, rows, columns, pixels);
    }

    /// <summary>Reads a labels file.</summary>
    /// <exception cref="DataFormatException">As for <see cref="ReadImages"/>.</exception>
    public static byte[] ReadLabels(string path)
    {
        byte[] content = DataFile.ReadAllBytes(path);
        int count = Header(path, content, LabelsMagic, "labels", stackalloc int[1])[0];
        return Body(path, content, 8, count, $"{count} labels").ToArray();
    }

    /// <summary>Reads an images file and its labels file into a classification set with
    /// <paramref name="classCount"/> classes and pixel features 0..255 (unscaled).</summary>
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

    private static Span<int> Header(string path, ReadOnlySpan<byte> content, int magic, string kind, Span<int> dims)
    {
        if (content.Length < 4)
        {
            throw new DataFormatException(path, $"truncated: expected at least 4 bytes (the magic number), found {content.Length}");
        }
        int found = BinaryPrimitives.ReadInt32BigEndian(content);
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
        int headerBytes = 4 + 4 * dims.Length;
        if (content.Length < headerBytes)
        {
            throw new DataFormatException(path, $"truncated: expected a {headerBytes}-byte header, found {content.Length} bytes");
        }
        for (int d = 0; d < dims.Length; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(content[(4 + 4 * d)..]);
            if (dims[d] <= 0)
            {
                throw new DataFormatException(path, $"dimension {d + 1} of the header is {dims[d]}: expected a positive size");
            }
        }
        return dims;
    }

    private static ReadOnlySpan<byte> Body(string path, byte[] content, int headerBytes, long bodyBytes, string what)
    {
        long expected = headerBytes + bodyBytes;
        if (content.Length != expected)
        {
            string problem = content.Length < expected ? "truncated" : "trailing bytes";
            throw new DataFormatException(path, $"{problem}: expected {expected} bytes ({what}), found {content.Length}");
        }
        return content.AsSpan(headerBytes);
    }
}
