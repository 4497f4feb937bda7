using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace FastNet.Data;

/// <summary>An array read from a NumPy <c>.npy</c> file. A uint8 or bool array keeps its bytes (<see cref="Bytes"/>,
/// a quarter of float32's size: image data such as MNIST saved by NumPy); every other type is converted to float32.</summary>
public sealed class NpyArray
{
    private readonly float[]? _floats;

    /// <summary>An array converted to float32.</summary>
    public NpyArray(string source, string dtype, bool isInteger, IReadOnlyList<int> shape, float[] values)
        : this(source, dtype, isInteger, shape, values.Length)
    {
        _floats = values;
    }

    /// <summary>A uint8 or bool array, kept as its bytes.</summary>
    public NpyArray(string source, string dtype, IReadOnlyList<int> shape, byte[] bytes)
        : this(source, dtype, isInteger: true, shape, bytes.Length)
    {
        Bytes = bytes;
    }

    private NpyArray(string source, string dtype, bool isInteger, IReadOnlyList<int> shape, int count)
    {
        Source = source;
        Dtype = dtype;
        IsInteger = isInteger;
        Shape = shape;
        Count = count;
    }

    /// <summary>The file (or <c>archive.npz:name.npy</c>) it came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The file's element type as NumPy writes it, e.g. <c>&lt;f4</c>.</summary>
    public string Dtype { get; }

    /// <summary>True for integer and boolean element types (class labels).</summary>
    public bool IsInteger { get; }

    /// <summary>The dimensions; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Number of elements.</summary>
    public int Count { get; }

    /// <summary>The elements of a uint8 or bool array as stored, in C (row-major) order; else null.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Every element as float32 in C (row-major) order (for a byte array, converted on each call).</summary>
    public float[] Values => _floats ?? [.. Bytes!.Select(b => (float)b)];

    /// <summary>Rows: the first dimension (1 for a scalar).</summary>
    public int Rows => Shape.Count == 0 ? 1 : Shape[0];

    /// <summary>Values per row: the product of the other dimensions, so [n, 28, 28] images are rows of 784.</summary>
    public int Columns => Rows == 0 ? 0 : Count / Rows;
}

/// <summary>
/// Reads NumPy's <c>.npy</c> format (format versions 1, 2 and 3): the magic <c>\x93NUMPY</c>, a version, the header
/// length, a header that is a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (n, d), }</c>,
/// then the elements. Element types: float16/32/64, signed and unsigned integers of 1 to 8 bytes and booleans, either
/// byte order; C order only. The declared shape is checked against the bytes that are there before anything is
/// allocated, so a header that declares more than the file holds fails at once, naming the file and both sizes.
/// </summary>
public static partial class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // A header is a small dict; NumPy pads it to a multiple of 64 bytes.
    private const int MaxHeaderLength = 1 << 16;

    /// <summary>The largest .npy file read: 8 GiB, a billion float64 features (4 GiB as float32).</summary>
    public const long MaxBytes = 1L << 33;

    /// <summary>Reads a <c>.npy</c> file.</summary>
    /// <exception cref="DataFormatException">The file is missing, is not a .npy file, or its header, element type, shape
    /// or size is not what the format requires; the message names the file and what was expected.</exception>
    public static NpyArray ReadFile(string path)
    {
        using GuardedStream stream = GuardedFile.OpenRead(path, MaxBytes,
            (problem, inner) => new DataFormatException(path, problem, innerException: inner), decompress: false);
        long length = stream.ContentLength ?? throw new DataFormatException(path, "a .npy file must be a regular file, not a pipe");
        return Read(stream, length, path);
    }

    /// <summary>Reads a .npy array from <paramref name="stream"/>, which holds exactly <paramref name="length"/>
    /// bytes; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">As for <see cref="ReadFile"/>.</exception>
    public static NpyArray Read(Stream stream, long length, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> preamble = stackalloc byte[12];
        int got = stream.ReadAtLeast(preamble[..10], 10, throwOnEndOfStream: false);
        if (got < Magic.Length || !preamble[..Magic.Length].SequenceEqual(Magic))
        {
            throw new DataFormatException(source, "not a NumPy .npy file (it does not start with \\x93NUMPY)");
        }
        if (got < 10)
        {
            throw new DataFormatException(source, $"truncated: {got} bytes, a .npy header needs at least 10");
        }
        byte major = preamble[6];
        int headerLength, prefix;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]);
                prefix = 10;
                break;
            case 2 or 3:
                if (stream.ReadAtLeast(preamble[10..12], 2, throwOnEndOfStream: false) < 2)
                {
                    throw new DataFormatException(source, "truncated in the header length");
                }
                uint declared = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
                headerLength = declared <= MaxHeaderLength ? (int)declared
                    : throw new DataFormatException(source, $"header length {declared} bytes: expected at most {MaxHeaderLength}");
                prefix = 12;
                break;
            default:
                throw new DataFormatException(source, $"format version {major}.{preamble[7]}: this FastNet reads versions 1, 2 and 3");
        }
        if (prefix + headerLength > length)
        {
            throw new DataFormatException(source, $"truncated: the header needs {prefix + headerLength} bytes, the file has {length}");
        }
        byte[] headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        (string descr, bool fortran, int[] shape) = ParseHeader(header, source);
        if (fortran)
        {
            throw new DataFormatException(source,
                "the array is in Fortran order; save it in C order (numpy.ascontiguousarray) for FastNet");
        }
        ElementType type = ElementType.Parse(descr, source);
        // Dimensions below 2^31 can multiply past a long: the product is exact, and compared with the bytes there.
        BigInteger count = 1;
        foreach (int dimension in shape)
        {
            count *= dimension;
        }
        BigInteger bodyBytes = count * type.Size;
        long available = length - prefix - headerLength;
        if (bodyBytes != available)
        {
            string problem = bodyBytes > available ? "truncated" : "trailing bytes";
            throw new DataFormatException(source, string.Create(CultureInfo.InvariantCulture,
                $"{problem}: shape ({string.Join(", ", shape)}) of {descr} needs {bodyBytes} bytes of data, the file has {available}"));
        }
        if (count > Array.MaxLength)
        {
            throw new DataFormatException(source, $"{count} elements: more than one array can hold ({Array.MaxLength})");
        }
        if (type.IsByte)
        {
            byte[] bytes = new byte[(long)count];
            stream.ReadExactly(bytes);
            return new NpyArray(source, descr, shape, bytes);
        }
        return new NpyArray(source, descr, type.IsInteger, shape, type.Decode(stream, (int)count, source));
    }

    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string source)
    {
        Match m = HeaderPattern().Match(header);
        if (!m.Success)
        {
            throw new DataFormatException(source,
                $"header is not a dict with 'descr', 'fortran_order' and 'shape' in NumPy's layout: {QuotedText.Of(header.Trim())}");
        }
        string[] parts = m.Groups["shape"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        int[] shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
            {
                throw new DataFormatException(source, $"shape dimension {i + 1} is {QuotedText.Of(parts[i])}: expected a size below 2^31");
            }
        }
        return (m.Groups["descr"].Value, m.Groups["fortran"].Value == "True", shape);
    }

    // NumPy writes the keys in this order (sorted), with Python's repr of each value.
    [GeneratedRegex(@"^\{\s*'descr'\s*:\s*'(?<descr>[^']*)'\s*,\s*'fortran_order'\s*:\s*(?<fortran>True|False)\s*,\s*'shape'\s*:\s*\((?<shape>[0-9L,\s]*)\)\s*,?\s*\}\s*$")]
    private static partial Regex HeaderPattern();

    /// <summary>An element type: its size, byte order and how to turn it into float32.</summary>
    private sealed record ElementType(char Kind, int Size, bool BigEndian)
    {
        public bool IsInteger => Kind is 'i' or 'u' or 'b';

        /// <summary>uint8 or bool: one byte per element, held as it is.</summary>
        public bool IsByte => Kind is 'u' or 'b' && Size == 1;

        public static ElementType Parse(string descr, string source)
        {
            if (descr.Length >= 3 && descr[0] is '<' or '>' or '|' or '='
                && int.TryParse(descr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
            {
                var type = new ElementType(descr[1], size, descr[0] == '>');
                bool known = type.Kind switch
                {
                    'f' => size is 2 or 4 or 8,
                    'i' or 'u' => size is 1 or 2 or 4 or 8,
                    'b' => size == 1,
                    _ => false,
                };
                if (known)
                {
                    return type;
                }
            }
            throw new DataFormatException(source, $"element type {QuotedText.Of(descr)}: expected float (f2, f4, f8), integer (i1..i8, u1..u8) or bool");
        }

        public float[] Decode(Stream stream, int count, string source)
        {
            float[] values = new float[count];
            byte[] buffer = new byte[Math.Max(Size, 1 << 16) / Size * Size];
            int done = 0;
            while (done < count)
            {
                int n = Math.Min(count - done, buffer.Length / Size);
                stream.ReadExactly(buffer, 0, n * Size);
                for (int i = 0; i < n; i++)
                {
                    float value = Convert(buffer.AsSpan(i * Size, Size));
                    if (float.IsNaN(value) || float.IsInfinity(value))
                    {
                        throw new DataFormatException(source, string.Create(CultureInfo.InvariantCulture,
                            $"element {done + i} is {value} as float32: expected finite numbers within float32's range"));
                    }
                    values[done + i] = value;
                }
                done += n;
            }
            return values;
        }

        private float Convert(ReadOnlySpan<byte> b) => (Kind, Size) switch
        {
            ('f', 2) => (float)(BigEndian ? BinaryPrimitives.ReadHalfBigEndian(b) : BinaryPrimitives.ReadHalfLittleEndian(b)),
            ('f', 4) => BigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b),
            ('f', 8) => (float)(BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b)),
            ('u' or 'b', 1) => b[0],
            ('i', 1) => (sbyte)b[0],
            ('i', 2) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
            ('u', 2) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
            ('i', 4) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
            ('u', 4) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
            ('i', 8) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
            _ => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b),
        };
    }
}
