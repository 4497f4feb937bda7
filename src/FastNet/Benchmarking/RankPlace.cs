using System.Security.Cryptography;
using System.Text;

namespace FastNet.Benchmarking;

/// <summary>Where a rank of a data-parallel run computes: its machine and its process. The ranks compare places to
/// tell which of them share rank 0's machine, and so its processor time.</summary>
/// <param name="Machine">The machine's name.</param>
/// <param name="Process">The process's id on that machine.</param>
public sealed record RankPlace(string Machine, int Process)
{
    /// <summary>The bytes of <see cref="Encode"/>.</summary>
    public const int EncodedBytes = 16;

    /// <summary>This process on this machine.</summary>
    public static RankPlace Current => new(Environment.MachineName, Environment.ProcessId);

    /// <summary>A fixed-size form every rank can broadcast: 8 bytes of the machine name's SHA-256, then the process
    /// id as 8 bytes.</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[EncodedBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(Machine)).AsSpan(0, 8).CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), (long)Process);
        return bytes;
    }

    /// <summary>True when <paramref name="other"/> (an <see cref="Encode"/>d place) is on this machine.</summary>
    public bool SameMachine(ReadOnlySpan<byte> other) => Encode().AsSpan(0, 8).SequenceEqual(other[..8]);

    /// <summary>True when <paramref name="other"/> (an <see cref="Encode"/>d place) is this very process.</summary>
    public bool SameProcess(ReadOnlySpan<byte> other) => Encode().AsSpan().SequenceEqual(other);
}
