using System.Buffers.Binary;

namespace FastNet.Distributed;

/// <summary>
/// Input files that exist where rank 0 runs: a checkpoint it wrote, a model it saved. Rank 0 reads and checks the file;
/// the other ranks receive its bytes and never open the path, so ranks on other hosts need no shared file system, and
/// a bad file is reported once, by rank 0, whose error ends the job.
/// </summary>
public static class RootInput
{
    /// <summary>
    /// Collective: the value rank 0's <paramref name="read"/> returns, on every rank. With one rank it is
    /// <paramref name="read"/>'s value; with more, rank 0 sends the bytes of <paramref name="serialize"/> and every rank,
    /// rank 0 included, returns <paramref name="deserialize"/> of them, so all ranks run on the same parsed value.
    /// </summary>
    public static T Read<T>(ICommunicator ranks, Func<T> read, Func<T, byte[]> serialize, Func<byte[], T> deserialize)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(serialize);
        ArgumentNullException.ThrowIfNull(deserialize);
        if (ranks.Size == 1)
        {
            return read();
        }
        byte[] bytes = ranks.Rank == 0 ? serialize(read()) : [];
        Span<byte> length = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        ranks.Broadcast(length, 0);
        if (ranks.Rank != 0)
        {
            // rank 0 sent the length of an array it holds, so this allocation is bounded as its own was
            bytes = new byte[BinaryPrimitives.ReadInt32LittleEndian(length)];
        }
        ranks.Broadcast(bytes, 0);
        return deserialize(bytes);
    }
}
