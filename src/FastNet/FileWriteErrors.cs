namespace FastNet;

/// <summary>
/// A file stream opened for writing whose file system errors all come as <see cref="IOException"/>. .NET reports a
/// write past the largest file allowed (EFBIG: <c>ulimit -f</c>, a FAT file system's 4 GiB) as an
/// <see cref="ArgumentOutOfRangeException"/>, which callers take for a bug of their own instead of a failed write
/// (a training run then kept no checkpoint). Arguments are checked here first, so an argument error from the file
/// itself can only be the file system's. Disposing disposes the file.
/// </summary>
public sealed class FileWriteErrors(FileStream file) : Stream
{
    private bool _failed; // a write or flush failed: the file's data left in its buffer fails again when disposed

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => file.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            file.Write(buffer);
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
        {
            throw Failed(e);
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => FlushToDisk(false);

    /// <summary><see cref="FileStream.Flush(bool)"/>, its errors as <see cref="IOException"/>.</summary>
    public void FlushToDisk(bool toDisk)
    {
        try
        {
            file.Flush(toDisk);
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
        {
            throw Failed(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                file.Dispose(); // closes the handle even when its last flush throws
            }
            catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
            {
                if (!_failed)
                {
                    throw Failed(e);
                }
                // the write that failed first is the error being reported
            }
        }
        base.Dispose(disposing);
    }

    private IOException Failed(Exception e)
    {
        _failed = true;
        return e as IOException
            ?? new IOException("the file would be larger than the file system or the process's file-size limit allows", e);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
