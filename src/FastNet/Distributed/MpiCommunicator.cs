namespace FastNet.Distributed;

/// <summary>
/// The ranks of an <c>mpirun</c> job (MPI_COMM_WORLD) over Open MPI. Created once per process: it initializes MPI,
/// and <see cref="Dispose"/> finalizes it. Every rank gets the same bits from <see cref="AllReduceSum"/>: Open MPI's
/// reduction algorithms for a commutative operation either reduce once and distribute the result or combine pairs
/// symmetrically (a + b is b + a in IEEE arithmetic); so do its non-blocking all-reduces (MPI_Iallreduce). That is an
/// assumption about the library, not a guarantee of the MPI standard; the trainer's per-epoch parameter checksum turns
/// any violation into an error.
/// </summary>
public sealed class MpiCommunicator : ICommunicator
{
    private readonly MpiNative _mpi;
    private readonly MpiAllReduceRequest.Pool _requests;
    private bool _disposed;

    /// <summary>Loads Open MPI (libmpi.so.40) and initializes it; throws <see cref="DistributedException"/> naming the
    /// package to install when the library is missing.</summary>
    public MpiCommunicator()
        : this(MpiNative.LibraryNames)
    {
    }

    /// <summary>Loads Open MPI from <paramref name="library"/> (a file name or path, e.g. an Open MPI outside the
    /// system's library path) and initializes it.</summary>
    public MpiCommunicator(string library)
        : this([library])
    {
    }

    private MpiCommunicator(IReadOnlyList<string> libraries)
    {
        _mpi = MpiNative.Load(libraries);
        _mpi.InitOnce();
        _requests = new MpiAllReduceRequest.Pool(_mpi);
        Rank = _mpi.Rank();
        Size = _mpi.Size();
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values) => _mpi.AllReduceSum(values);

    /// <inheritdoc />
    public IAllReduceRequest StartAllReduceSum(Memory<float> values) => _requests.Start(values);

    /// <inheritdoc />
    public void Broadcast(Span<byte> data, int root) => _mpi.Broadcast(data, root);

    /// <inheritdoc />
    public void Abort(int exitCode) => _mpi.Abort(exitCode);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _mpi.FinalizeOnce();
        }
    }
}
