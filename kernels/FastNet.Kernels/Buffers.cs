namespace FastNet.Kernels;

/// <summary>
/// A float32 buffer that lives where its backend computes (host memory for CPU backends, device memory for the GPU).
/// Only the backend that allocated it may read or write it; everyone else goes through
/// <see cref="IBackend.Upload"/> and <see cref="IBackend.Download"/>.
/// </summary>
public abstract class FloatBuffer : IDisposable
{
    /// <summary>Creates the bookkeeping for a buffer of <paramref name="length"/> floats.</summary>
    protected FloatBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>The whole buffer as a view.</summary>
    public BufferView All => new(this, 0, Length);

    /// <summary>A view of <paramref name="length"/> floats starting at <paramref name="offset"/>.</summary>
    public BufferView Slice(int offset, int length) => All.Slice(offset, length);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the memory.</summary>
    protected abstract void Dispose(bool disposing);
}

/// <summary>An int32 buffer on the backend, used for row indices (the shuffled order of an epoch).</summary>
public abstract class IndexBuffer : IDisposable
{
    /// <summary>Creates the bookkeeping for a buffer of <paramref name="length"/> ints.</summary>
    protected IndexBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    /// <summary>Number of ints.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the memory.</summary>
    protected abstract void Dispose(bool disposing);
}

/// <summary>
/// A contiguous range of a <see cref="FloatBuffer"/>. Views let one flat parameter buffer hold every layer's weights
/// and biases, so an optimizer step is a single pass, while each layer still sees its own matrix.
/// An empty view (<see cref="IsEmpty"/>) means "absent" where an op documents that it is optional.
/// </summary>
public readonly struct BufferView : IEquatable<BufferView>
{
    /// <summary>Creates a view; throws if the range is outside the buffer.</summary>
    public BufferView(FloatBuffer buffer, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || length < 0 || (long)offset + length > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length),
                $"view [{offset}, {offset}+{length}) is outside a buffer of {buffer.Length} floats");
        }
        Buffer = buffer;
        Offset = offset;
        Length = length;
    }

    /// <summary>The underlying buffer; null for <see cref="Empty"/>.</summary>
    public FloatBuffer? Buffer { get; }

    /// <summary>First float of the view within <see cref="Buffer"/>.</summary>
    public int Offset { get; }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>True when the view holds nothing (an absent optional operand).</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>The absent operand.</summary>
    public static BufferView Empty => default;

    /// <summary>A sub-range of this view.</summary>
    public BufferView Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length),
                $"slice [{offset}, {offset}+{length}) is outside a view of {Length} floats");
        }
        return length == 0 ? Empty : new BufferView(Buffer!, Offset + offset, length);
    }

    /// <inheritdoc />
    public bool Equals(BufferView other) =>
        ReferenceEquals(Buffer, other.Buffer) && Offset == other.Offset && Length == other.Length;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BufferView other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Buffer, Offset, Length);

    /// <summary>Same buffer, offset and length.</summary>
    public static bool operator ==(BufferView left, BufferView right) => left.Equals(right);

    /// <summary>Not the same buffer, offset and length.</summary>
    public static bool operator !=(BufferView left, BufferView right) => !left.Equals(right);
}
