using System.Buffers;

namespace FastNet.Distributed;

/// <summary>
/// One MPI_Iallreduce in flight: the buffer stays pinned and the request's handle lives here until MPI_Wait (or an
/// MPI_Test that found it complete) has released it. Made once and started again for each all-reduce
/// (<see cref="Pool"/>), so a data-parallel step allocates nothing for its per-layer all-reduces.
/// </summary>
internal sealed unsafe class MpiAllReduceRequest : IAllReduceRequest
{
    private readonly MpiNative _mpi;
    private readonly Pool _pool;
    private readonly nint[] _handle = new nint[1]; // the MPI_Request, MPI_REQUEST_NULL once MPI has freed it
    private MemoryHandle _pin;
    private bool _done = true, _waited = true;

    private MpiAllReduceRequest(MpiNative mpi, Pool pool)
    {
        _mpi = mpi;
        _pool = pool;
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
        if (_waited)
        {
            return;
        }
        if (!_done)
        {
            fixed (nint* handle = _handle)
            {
                _mpi.Wait(handle);
            }
            Release();
        }
        _waited = true;
        _pool.Return(this);
    }

    // Pins `values` and starts their in-place sum over the ranks.
    private void Start(Memory<float> values)
    {
        _pin = values.Pin();
        _done = _waited = false;
        try
        {
            fixed (nint* handle = _handle)
            {
                _mpi.StartAllReduceSum((float*)_pin.Pointer, values.Length, handle);
            }
        }
        catch
        {
            Release();
            _waited = true;
            _pool.Return(this);
            throw;
        }
    }

    private void Release()
    {
        _done = true;
        _pin.Dispose();
    }

    /// <summary>The requests of one communicator: a waited-for request is started again by a later all-reduce, so as
    /// many exist as were ever in flight at once (one a layer).</summary>
    internal sealed class Pool(MpiNative mpi)
    {
        private readonly Stack<MpiAllReduceRequest> _free = new();

        /// <summary>Starts the in-place sum of <paramref name="values"/> over the ranks.</summary>
        public MpiAllReduceRequest Start(Memory<float> values)
        {
            MpiAllReduceRequest request = _free.TryPop(out MpiAllReduceRequest? free) ? free : new(mpi, this);
            request.Start(values);
            return request;
        }

        public void Return(MpiAllReduceRequest request) => _free.Push(request);
    }
}
