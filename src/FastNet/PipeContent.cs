using System.Buffers.Binary;

namespace FastNet;

/// <summary>
/// A pipe's bytes, with the first ones (read to tell gzip from the rest, which a pipe cannot give twice) handed back in
/// front. It counts what it yields and keeps the last four bytes: a gzip file ends with its uncompressed size, which a
/// regular file is asked for before reading and a pipe tells only at its end.
/// </summary>
internal sealed class PipeContent(Stream pipe, byte[] first) : Stream
{
    private readonly byte[] _last = new byte[4];
    private int _firstRead;
    private long _count;

    /// <summary>The bytes yielded so far as gzip facts: their number, and their last four read as a regular file's
    /// trailer is (a file shorter than four gives its bytes first, the rest zero).</summary>
    public GzipFacts Facts
    {
        get
        {
            Span<byte> trailer = stackalloc byte[4];
            trailer.Clear();
            int kept = (int)Math.Min(_count, 4);
            _last.AsSpan(4 - kept).CopyTo(trailer);
            return new GzipFacts(_count, BinaryPrimitives.ReadUInt32LittleEndian(trailer));
        }
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => _count; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        int n;
        if (_firstRead < first.Length)
        {
            n = Math.Min(buffer.Length, first.Length - _firstRead);
            first.AsSpan(_firstRead, n).CopyTo(buffer);
            _firstRead += n;
        }
        else
        {
            n = pipe.Read(buffer);
        }
        Remember(buffer[..n]);
        return n;
    }

    private void Remember(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= _last.Length)
        {
            bytes[^_last.Length..].CopyTo(_last);
        }
        else
        {
            _last.AsSpan(bytes.Length).CopyTo(_last); // the older bytes move to the front (memmove)
            bytes.CopyTo(_last.AsSpan(_last.Length - bytes.Length));
        }
        _count += bytes.Length;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pipe.Dispose();
        }
        base.Dispose(disposing);
    }
}
