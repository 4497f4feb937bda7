using System.Buffers;

namespace FastNet.Distributed;

/// <summary>
/// One MPI_Iallreduce in flight: the buffer stays pinned and the request's handle lives here until MPI_Wait (or an
/// MPI_Test that found it complete) has released it.
/// </summary>
internal sealed unsafe class MpiAllReduceRequest : IAllReduceRequest
{
    private readonly MpiNative _mpi;
    private readonly MemoryHandle _pin;
    private readonly nint[] _handle = new nint[1]; // the MPI_Request, MPI_REQUEST_NULL once MPI has freed it
    private bool _done;

    private MpiAllReduceRequest(MpiNative mpi, Memory<float> values)
    {
        _mpi = mpi;
        _pin = values.Pin();
    }

    /// <summary>Pins <paramref name="values"/> and starts their in-place sum over the ranks.</summary>
    public static MpiAllReduceRequest Start(MpiNative mpi, Memory<float> values)
    {
        var request = new MpiAllReduceRequest(mpi, values);
        try
        {
            fixed (nint* handle = request._handle)
            {
                mpi.StartAllReduceSum((float*)request._pin.Pointer, values.Length, handle);
            }
        }
        catch
        {
            request.Release();
            throw;
        }
        return request;
    }

    /// <inheritdoc />
    public bool Test()
    {
        if (!_done)
        {
            fixed (nint* handle = _handle)
            {
                if (_mpi.Test(handle))
                {
                    Release();
                }
            }
        }
        return _done;
    }

    /// <inheritdoc />
    public void Wait()
    {
        if (_done)
        {
            return;
        }
        fixed (nint* handle = _handle)
        {
            _mpi.Wait(handle);
        }
        Release();
    }

    private void Release()
    {
        _done = true;
        _pin.Dispose();
    }
}
