using System.Buffers.Binary;
using System.IO.Compression;

namespace FastNet.Tests.Data;

/// <summary>Builds small IDX files for tests.</summary>
public static class IdxFiles
{
    public static byte[] Images(int count, int rows, int columns, Func<int, byte>? pixel = null)
    {
        byte[] bytes = new byte[16 + count * rows * columns];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        for (int i = 16; i < bytes.Length; i++)
        {
            bytes[i] = pixel?.Invoke(i - 16) ?? (byte)(i - 16);
        }
        return bytes;
    }

    public static byte[] Labels(params byte[] labels)
    {
        byte[] bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return memory.ToArray();
    }

    /// <summary>Writes an MNIST-style directory: 3 training and 2 test images of 2×2.</summary>
    public static void WriteMnistDirectory(string directory, bool gzip)
    {
        Directory.CreateDirectory(directory);
        (string Name, byte[] Data)[] files =
        [
            ("train-images-idx3-ubyte", Images(3, 2, 2)),
            ("train-labels-idx1-ubyte", Labels(0, 9, 4)),
            ("t10k-images-idx3-ubyte", Images(2, 2, 2, i => (byte)(255 - i))),
            ("t10k-labels-idx1-ubyte", Labels(7, 1)),
        ];
        foreach ((string name, byte[] data) in files)
        {
            File.WriteAllBytes(Path.Combine(directory, gzip ? name + ".gz" : name), gzip ? Gzip(data) : data);
        }
    }
}
