using ILGPU;
using ILGPU.Runtime;

namespace FastNet.Kernels.Gpu;

/// <summary>Float32 memory on an ILGPU accelerator, owned by the <see cref="GpuBackend"/> that allocated it.</summary>
public sealed class GpuFloatBuffer : FloatBuffer
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _memory;

    internal GpuFloatBuffer(GpuBackend owner, Accelerator accelerator, int length) : base(length)
    {
        Owner = owner;
        // ILGPU rejects empty allocations; an empty buffer keeps one unused float.
        _memory = accelerator.Allocate1D<float>(Math.Max(length, 1));
        _memory.MemSetToZero();
        owner.Track(_memory.LengthInBytes);
    }

    internal GpuBackend Owner { get; }

    internal ArrayView<float> View(int offset, int length)
    {
        ObjectDisposedException.ThrowIf(_memory is null, this);
        return _memory.View.SubView(offset, length);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _memory is not null)
        {
            Owner.Track(-_memory.LengthInBytes);
            _memory.Dispose();
        }
        _memory = null;
    }
}

/// <summary>
/// Int32 row indices on an ILGPU accelerator. A host copy is kept so <see cref="IBackend.GatherRows"/> can reject an
/// out-of-range index before a kernel would read outside the source.
/// </summary>
public sealed class GpuIndexBuffer : IndexBuffer
{
    private MemoryBuffer1D<int, Stride1D.Dense>? _memory;

    internal GpuIndexBuffer(GpuBackend owner, Accelerator accelerator, int length) : base(length)
    {
        Owner = owner;
        Host = new int[length];
        _memory = accelerator.Allocate1D<int>(Math.Max(length, 1));
        _memory.MemSetToZero();
        owner.Track(_memory.LengthInBytes);
    }

    internal GpuBackend Owner { get; }

    internal int[] Host { get; }

    internal ArrayView<int> View
    {
        get
        {
            ObjectDisposedException.ThrowIf(_memory is null, this);
            return _memory.View;
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _memory is not null)
        {
            Owner.Track(-_memory.LengthInBytes);
            _memory.Dispose();
        }
        _memory = null;
    }
}
