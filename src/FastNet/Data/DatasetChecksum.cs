using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace FastNet.Data;

/// <summary>The identity of a dataset's content: SHA-256 over its shape and its features and targets as
/// little-endian float32, so two sets agree exactly when a network would see the same numbers.</summary>
public static class DatasetChecksum
{
    /// <summary>Whether <paramref name="text"/> has the form of <see cref="Sha256"/>'s result: 64 lowercase hex
    /// digits.</summary>
    public static bool IsSha256Text(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    /// <summary>The checksum as lowercase hex.</summary>
    public static string Sha256(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> shape = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(shape, data.Count);
        BinaryPrimitives.WriteInt32LittleEndian(shape[4..], data.FeatureCount);
        BinaryPrimitives.WriteInt32LittleEndian(shape[8..], data.TargetCount);
        hash.AppendData(shape);
        if (data.IsCompact)
        {
            // the same floats as the features scaled in place would hold, a block of rows at a time
            int rows = Math.Max(1, (1 << 16) / data.FeatureCount);
            float[] block = new float[rows * data.FeatureCount];
            for (int first = 0; first < data.Count; first += rows)
            {
                int take = Math.Min(rows, data.Count - first);
                data.CopyFeatures(first, take, block);
                Append(hash, block.AsSpan(0, take * data.FeatureCount));
            }
        }
        else
        {
            Append(hash, data.Features);
        }
        Append(hash, data.Targets);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            hash.AppendData(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> buffer = stackalloc byte[4];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            hash.AppendData(buffer);
        }
    }
}
