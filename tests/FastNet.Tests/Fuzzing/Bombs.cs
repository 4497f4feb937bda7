using System.IO.Compression;
using System.Text;

namespace FastNet.Tests.Fuzzing;

/// <summary>Decompression bombs: gzip files of a few hundred kilobytes that inflate to <see cref="InflatedBytes"/>.
/// Made once per test run.</summary>
internal static class Bombs
{
    /// <summary>What each bomb inflates to: 64 MiB, twice <see cref="LoaderFuzz{T}.AllocationBound"/>, so a loader
    /// that reads a bomb to its end cannot stay within that bound.</summary>
    public const long InflatedBytes = 64 << 20;

    private static readonly Lazy<byte[]> CsvRows = new(() => Make([], Encoding.ASCII.GetBytes("1,2,0\n")));
    private static readonly Lazy<byte[]> IdxTail = new(() => Make(Data.IdxFiles.Images(10, 2, 2), [0]));
    private static readonly Lazy<byte[]> Zeros = new(() => Make([], [0]));

    /// <summary>Valid CSV rows "1,2,0" without end.</summary>
    public static byte[] CsvRowsBomb => CsvRows.Value;

    /// <summary>A valid IDX file of 10 images of 2×2, followed by zeros.</summary>
    public static byte[] IdxWithZerosBomb => IdxTail.Value;

    /// <summary>Zeros.</summary>
    public static byte[] ZerosBomb => Zeros.Value;

    private static byte[] Make(byte[] prefix, byte[] pattern)
    {
        byte[] block = new byte[(1 << 20) / pattern.Length * pattern.Length]; // whole patterns, so rows stay whole
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = pattern[i % pattern.Length];
        }
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal))
        {
            gzip.Write(prefix);
            for (long written = prefix.Length; written < InflatedBytes; written += block.Length)
            {
                gzip.Write(block);
            }
        }
        return memory.ToArray();
    }
}
