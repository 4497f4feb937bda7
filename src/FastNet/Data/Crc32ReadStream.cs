using System.IO.Hashing;

namespace FastNet.Data;

/// <summary>Reads another stream forward only and keeps the CRC-32 of every byte read, so that a zip member (whose
/// CRC-32 .NET's zip reader does not check) can be compared with the one its archive records.</summary>
internal sealed class Crc32ReadStream(Stream inner) : Stream
{
    private readonly Crc32 _crc = new();

    /// <summary>The CRC-32 of what was read so far, as a zip directory records it.</summary>
    public uint Crc => _crc.GetCurrentHashAsUInt32();

    /// <summary>Reads what is left, so that <see cref="Crc"/> covers the whole stream.</summary>
    public void ReadToEnd()
    {
        Span<byte> buffer = stackalloc byte[4096];
        while (Read(buffer) > 0)
        {
        }
    }

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        _crc.Append(buffer[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
