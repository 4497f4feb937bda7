using FastNet.Kernels.Cpu;

namespace FastNet.Kernels.Simd;

/// <summary>
/// A 64-byte aligned native scratch array that grows on demand and never shrinks, so after the first call of the
/// largest shape a kernel's scratch costs no allocation.
/// </summary>
internal sealed unsafe class NativeArray : IDisposable
{
    // one cache line past the end, so vector loads just past the last float stay inside the block
    private const int Headroom = 16;

    private float* _pointer;
    private nint _capacity;

    /// <summary>Bytes held now (the capacity and its headroom), 0 before the first <see cref="Get"/>.</summary>
    public long Bytes => _pointer == null ? 0 : BytesFor(_capacity);

    /// <summary>Bytes held once <see cref="Get"/> has been asked for <paramref name="length"/> floats.</summary>
    public static long BytesFor(long length) => (length + Headroom) * sizeof(float);

    /// <summary>At least <paramref name="length"/> floats, contents unspecified.</summary>
    public float* Get(nint length)
    {
        if (length > _capacity)
        {
            HostMemory.Free(_pointer);
            _pointer = null;
            _pointer = (float*)HostMemory.Allocate((nuint)(length + Headroom) * sizeof(float), 64);
            _capacity = length;
        }
        return _pointer;
    }

    /// <summary>Frees the memory.</summary>
    public void Dispose()
    {
        HostMemory.Free(_pointer);
        _pointer = null;
        _capacity = 0;
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the memory if <see cref="Dispose"/> was never called.</summary>
    ~NativeArray() => HostMemory.Free(_pointer);
}
