using FastNet.Kernels;
using FastNet.Kernels.Reference;

namespace FastNet.Tests.Training;

/// <summary>The reference backend, counting the bytes of every float and index buffer it is asked for. It
/// re-implements <see cref="IBackend"/>, so calls through the interface reach the counting members.</summary>
public sealed class AllocationCounter : ReferenceBackend, IBackend
{
    /// <summary>Bytes of all buffers allocated so far, 4 per float or index.</summary>
    public long AllocatedBytes { get; private set; }

    public new FloatBuffer Allocate(int length)
    {
        AllocatedBytes += 4L * length;
        return base.Allocate(length);
    }

    public new IndexBuffer AllocateIndices(int length)
    {
        AllocatedBytes += 4L * length;
        return base.AllocateIndices(length);
    }
}
