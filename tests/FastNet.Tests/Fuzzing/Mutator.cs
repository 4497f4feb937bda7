using System.Buffers.Binary;
using System.Text;

namespace FastNet.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a valid file: byte flips, truncations, insertions, deletions, repeated chunks, huge 32-bit
/// sizes written over any offset, and for text, numbers swapped for non-finite or huge ones. Each mutation says what
/// it did, so a failure can be reproduced from its message.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly uint[] HugeSizes = [0x7fffffff, 0xffffffff, 0x80000000, 0x40000000, 0x10000000, 0x00ffffff];

    private static readonly string[] OddNumbers =
        ["NaN", "Infinity", "-Infinity", "1e39", "-1e999", "3.4028236e38", "99999999999", "2147483648", "-1", "0", "", "1e-50"];

    private readonly Random _random = new(seed);

    /// <summary>One to three mutations of <paramref name="bytes"/> (not changed), for any format.</summary>
    public (byte[] Bytes, string What) Binary(byte[] bytes)
    {
        var what = new StringBuilder();
        byte[] result = bytes;
        for (int n = _random.Next(1, 4); n > 0; n--)
        {
            result = Once(result, what);
        }
        return (result, what.ToString());
    }

    /// <summary>Like <see cref="Binary"/>, but half the time a number of the text is replaced by a non-finite, huge or
    /// malformed one.</summary>
    public (byte[] Bytes, string What) Text(string text)
    {
        if (_random.Next(2) == 0)
        {
            return Binary(Encoding.UTF8.GetBytes(text));
        }
        int[] starts = [.. Enumerable.Range(0, text.Length)
            .Where(i => char.IsAsciiDigit(text[i]) && (i == 0 || (!char.IsAsciiDigit(text[i - 1]) && text[i - 1] != '.')))];
        int start = starts[_random.Next(starts.Length)];
        int end = start;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or 'e' or 'E' or '-' or '+'))
        {
            end++;
        }
        string number = OddNumbers[_random.Next(OddNumbers.Length)];
        return (Encoding.UTF8.GetBytes(text[..start] + number + text[end..]), $"number at {start} -> \"{number}\"");
    }

    /// <summary>A random index below <paramref name="bound"/>.</summary>
    public int Next(int bound) => _random.Next(bound);

    private byte[] Once(byte[] bytes, StringBuilder what)
    {
        int at = bytes.Length == 0 ? 0 : _random.Next(bytes.Length);
        switch (_random.Next(bytes.Length == 0 ? 1 : 7))
        {
            case 0:
                byte[] inserted = new byte[_random.Next(1, 17)];
                _random.NextBytes(inserted);
                what.Append($"insert {inserted.Length} at {at}; ");
                return [.. bytes.AsSpan(0, at), .. inserted, .. bytes.AsSpan(at)];
            case 1:
                what.Append($"truncate to {at}; ");
                return bytes[..at];
            case 2:
                int bit = _random.Next(8);
                what.Append($"flip bit {bit} at {at}; ");
                return Changed(bytes, b => b[at] ^= (byte)(1 << bit));
            case 3:
                byte value = (byte)(_random.Next(3) switch { 0 => 0x00, 1 => 0xff, _ => _random.Next(256) });
                what.Append($"set {at} to {value}; ");
                return Changed(bytes, b => b[at] = value);
            case 4:
                int length = Math.Min(_random.Next(1, 65), bytes.Length - at);
                what.Append($"delete {length} at {at}; ");
                return [.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + length)];
            case 5:
                int chunk = Math.Min(_random.Next(1, 257), bytes.Length - at);
                what.Append($"repeat {chunk} at {at}; ");
                return [.. bytes.AsSpan(0, at + chunk), .. bytes.AsSpan(at)];
            default:
                uint huge = HugeSizes[_random.Next(HugeSizes.Length)];
                int offset = Math.Min(at, Math.Max(0, bytes.Length - 4));
                bool bigEndian = _random.Next(2) == 0;
                what.Append($"write {huge:x8} {(bigEndian ? "big" : "little")}-endian at {offset}; ");
                return bytes.Length < 4 ? bytes : Changed(bytes, b =>
                {
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(offset), huge);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset), huge);
                    }
                });
        }
    }

    private static byte[] Changed(byte[] bytes, Action<byte[]> change)
    {
        byte[] copy = (byte[])bytes.Clone();
        change(copy);
        return copy;
    }
}
