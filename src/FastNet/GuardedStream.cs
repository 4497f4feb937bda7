namespace FastNet;

/// <summary>What is known of a gzip file: a regular file's before it is decompressed, a pipe's as far as it has been
/// read.</summary>
/// <param name="CompressedSize">Bytes on disk, or read from the pipe.</param>
/// <param name="TrailerSize">The uncompressed size mod 2^32 that the last four bytes record (a hint: a truncated
/// file's last bytes are compressed data).</param>
internal sealed record GzipFacts(long CompressedSize, uint TrailerSize);

/// <summary>
/// A file's content as <see cref="GuardedFile"/> opens it. Every problem is thrown as the caller's exception (see
/// <see cref="ReadError"/>): content beyond the caller's limit (checked against the reported size before reading, and
/// as the bytes arrive, so a decompression bomb stops one buffer past the limit); a file yielding more than its
/// reported size (a device); gzip data that is corrupt, or that ends short of the size its trailer records (a
/// truncated file, or several gzip files joined, whose trailer holds only the last one's size).
/// </summary>
public sealed class GuardedStream : Stream
{
    private const int FirstChunk = 1 << 16;

    // A gzip header and trailer alone take 18 bytes; a shorter file is cut, whatever its last bytes seem to record.
    private const int MinimumGzip = 18;

    private readonly Stream _inner;
    private long _limit;
    private readonly ReadError _error;
    private readonly long? _fileSize;
    private readonly Func<GzipFacts>? _gzip;
    private long _produced;
    private byte[] _peeked = [];
    private int _peekedRead;

    internal GuardedStream(Stream file, long limit, ReadError error, long? fileSize)
    {
        _inner = file;
        _limit = limit;
        _error = error;
        _fileSize = fileSize;
    }

    internal GuardedStream(Stream gzip, long limit, ReadError error, Func<GzipFacts> facts)
    {
        _inner = gzip;
        _limit = limit;
        _error = error;
        _gzip = facts;
    }

    /// <summary>The content's size when it is known before reading: an uncompressed regular file's size.</summary>
    public long? ContentLength => _gzip is null ? _fileSize : null;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <summary>True for a regular file read as it is (not decompressed): formats that need random access, such as
    /// zip archives, seek within it, and the limit and the reported size still bound every read.</summary>
    public override bool CanSeek => _gzip is null && _fileSize is not null && _inner.CanSeek;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <summary>The file's size, where <see cref="CanSeek"/>.</summary>
    public override long Length => CanSeek ? _fileSize!.Value : throw new NotSupportedException();

    /// <summary>Content bytes read so far; where <see cref="CanSeek"/>, the position in the file.</summary>
    public override long Position { get => _produced - Peeked; set => Seek(value, SeekOrigin.Begin); }

    // Bytes taken from the file by Peek and not yet read.
    private int Peeked => _peeked.Length - _peekedRead;

    /// <summary>The next <paramref name="count"/> bytes of the content (fewer where it ends), which the next reads
    /// return again: a reader can tell a format by its first bytes and read on from the same stream, where opening
    /// the file a second time would lose them to a pipe.</summary>
    public ReadOnlySpan<byte> Peek(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        byte[] pending = _peeked[_peekedRead..];
        _peeked = [];
        _peekedRead = 0;
        byte[] more = count > pending.Length ? ReadUpTo(count - pending.Length) : [];
        _peeked = [.. pending, .. more];
        return _peeked.AsSpan(0, Math.Min(count, _peeked.Length));
    }

    /// <summary>Lowers the limit to <paramref name="limit"/> (a larger one is ignored): a file opened under the
    /// largest limit of the formats it may be, and told apart by its first bytes, is then held to its own
    /// format's.</summary>
    internal void LimitTo(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _limit = Math.Min(_limit, limit);
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (Peeked > 0)
        {
            int taken = Math.Min(buffer.Length, Peeked);
            _peeked.AsSpan(_peekedRead, taken).CopyTo(buffer);
            _peekedRead += taken;
            return taken;
        }
        if (ContentLength > _limit) // before any read, wherever a seek has put the position
        {
            throw _error($"the file is {ContentLength} bytes, more than the limit of {_limit}", null);
        }
        // One byte past the limit is enough to tell that the content exceeds it.
        long room = _limit - _produced + 1;
        if (buffer.Length > room)
        {
            buffer = buffer[..(int)room];
        }
        int n = ReadInner(buffer);
        _produced += n;
        if (_produced > _limit)
        {
            throw _error(_gzip?.Invoke() is GzipFacts gzip
                ? $"the gzip data decompresses to more than the limit of {_limit} bytes (from {gzip.CompressedSize} " +
                    "compressed bytes); refused as a possible decompression bomb"
                : $"the file holds more than the limit of {_limit} bytes", null);
        }
        if (_produced > _fileSize)
        {
            throw _error($"not a regular file: it yields more than its reported size of {_fileSize} bytes " +
                "(a device, or a file still being written)", null);
        }
        if (n == 0 && _gzip?.Invoke() is GzipFacts facts && ((uint)_produced != facts.TrailerSize || facts.CompressedSize < MinimumGzip))
        {
            throw _error($"truncated gzip data: it ends after {_produced} decompressed bytes, but the size field at " +
                $"the end of the file records {facts.TrailerSize}", null);
        }
        return n;
    }

    /// <summary>Reads up to <paramref name="count"/> bytes, fewer only where the content ends. The buffer grows as
    /// data arrives, so a declared size that the file does not back costs no memory.</summary>
    public byte[] ReadUpTo(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Array.MaxLength);
        long first = ContentLength is long known ? Math.Clamp(known - Position, 0, count) : Math.Min(count, FirstChunk);
        byte[] buffer = new byte[first];
        int filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(count, Math.Max(2L * buffer.Length, FirstChunk)));
            }
            int n = Read(buffer.AsSpan(filled));
            if (n == 0)
            {
                break;
            }
            filled += n;
        }
        return filled == buffer.Length ? buffer : buffer[..filled];
    }

    /// <summary>The rest of the content, up to the limit (beyond it, the limit's error).</summary>
    public byte[] ReadToEnd()
    {
        byte[] content = ReadUpTo(Math.Min(_limit - Position, Array.MaxLength));
        // Reading on ends the content: past the limit this throws, at the end it checks a gzip trailer.
        Span<byte> next = stackalloc byte[1];
        return Read(next) == 0 ? content
            : throw _error($"the content is longer than {Array.MaxLength} bytes, more than one array holds", null);
    }

    private int ReadInner(Span<byte> buffer)
    {
        try
        {
            return _inner.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw _error("corrupt gzip data: " + e.Message, e);
        }
        catch (IOException e)
        {
            throw _error("cannot read the file: " + e.Message, e);
        }
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <summary>Moves within a regular file read as it is (<see cref="CanSeek"/>).</summary>
    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!CanSeek)
        {
            throw new NotSupportedException();
        }
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            SeekOrigin.End => _fileSize!.Value + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0)
        {
            // as a FileStream does, which readers such as the zip reader expect
            throw new IOException("an attempt was made to move the position before the beginning of the file");
        }
        _peeked = [];
        _peekedRead = 0;
        _produced = _inner.Seek(target, SeekOrigin.Begin);
        return _produced;
    }

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
