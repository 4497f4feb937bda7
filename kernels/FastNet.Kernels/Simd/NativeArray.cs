using System.Runtime.InteropServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// A 64-byte aligned native scratch array that grows on demand and never shrinks, so after the first call of the
/// largest shape a kernel's scratch costs no allocation.
/// </summary>
internal sealed unsafe class NativeArray : IDisposable
{
    private float* _pointer;
    private nint _capacity;

    /// <summary>At least <paramref name="length"/> floats, contents unspecified.</summary>
    public float* Get(nint length)
    {
        if (length > _capacity)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
            // headroom of one cache line so vector loads just past the end stay inside the block
            _pointer = (float*)NativeMemory.AlignedAlloc((nuint)(length + 16) * sizeof(float), 64);
            _capacity = length;
        }
        return _pointer;
    }

    /// <summary>Frees the memory.</summary>
    public void Dispose()
    {
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
        _capacity = 0;
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the memory if <see cref="Dispose"/> was never called.</summary>
    ~NativeArray() => NativeMemory.AlignedFree(_pointer);
}
