using System.Runtime.InteropServices;

namespace FastNet.Kernels.Cpu;

/// <summary>
/// Host memory for the CPU backends: native, 64-byte aligned (one cache line, one Vector512), outside the GC heap so
/// kernels can hold raw pointers without pinning.
/// </summary>
public sealed unsafe class CpuFloatBuffer : FloatBuffer
{
    private const nuint Alignment = 64;
    private float* _pointer;

    /// <summary>Allocates <paramref name="length"/> zeroed floats.</summary>
    public CpuFloatBuffer(int length) : base(length)
    {
        nuint bytes = (nuint)Math.Max(length, 1) * sizeof(float);
        _pointer = (float*)HostMemory.Allocate(bytes, Alignment);
        NativeMemory.Clear(_pointer, bytes);
    }

    /// <summary>First float; valid until disposal.</summary>
    public float* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>The whole buffer as a span.</summary>
    public Span<float> Span => new(Pointer, Length);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (_pointer != null)
        {
            HostMemory.Free(_pointer);
            _pointer = null;
        }
    }

    /// <summary>Frees the memory if <see cref="FloatBuffer.Dispose()"/> was never called.</summary>
    ~CpuFloatBuffer() => Dispose(false);
}

/// <summary>Host int32 memory for the CPU backends.</summary>
public sealed class CpuIndexBuffer(int length) : IndexBuffer(length)
{
    /// <summary>The indices.</summary>
    public int[] Data { get; } = new int[length];

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
    }
}

/// <summary>Access to the memory behind views of CPU buffers.</summary>
public static unsafe class CpuViews
{
    /// <summary>The floats of <paramref name="view"/>; empty for an empty view.</summary>
    public static Span<float> AsSpan(this BufferView view) =>
        view.IsEmpty ? [] : new Span<float>(Pointer(view), view.Length);

    /// <summary>Pointer to the first float of <paramref name="view"/>.</summary>
    public static float* Pointer(this BufferView view)
    {
        if (view.Buffer is not CpuFloatBuffer cpu)
        {
            throw new ArgumentException(
                $"a CPU backend was given a buffer of type {view.Buffer?.GetType().Name ?? "null"}; "
                + "buffers belong to the backend that allocated them", nameof(view));
        }
        return cpu.Pointer + view.Offset;
    }

    /// <summary>The ints of a CPU index buffer.</summary>
    public static int[] AsArray(this IndexBuffer indices) => indices is CpuIndexBuffer cpu
        ? cpu.Data
        : throw new ArgumentException(
            $"a CPU backend was given an index buffer of type {indices.GetType().Name}", nameof(indices));
}
