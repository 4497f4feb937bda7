namespace FastNet.Distributed;

/// <summary>
/// The ranks of an <c>mpirun</c> job (MPI_COMM_WORLD) over Open MPI or MPICH. Created once per process: it
/// initializes MPI, and <see cref="Dispose"/> finalizes it. Every rank gets the same bits from
/// <see cref="AllReduceSum"/>: the libraries' reduction algorithms for a commutative operation either reduce once and
/// distribute the result or combine pairs symmetrically (a + b is b + a in IEEE arithmetic); so do their non-blocking
/// all-reduces (MPI_Iallreduce). That is an assumption about the library, not a guarantee of the MPI standard; the
/// trainer's per-epoch parameter checksum turns any violation into an error.
/// </summary>
public sealed class MpiCommunicator : ICommunicator
{
    private readonly MpiNative _mpi;
    private readonly MpiAllReduceRequest.Pool _requests;
    private bool _disposed;

    /// <summary>Loads the MPI library of the launcher that started this process (<see cref="MpiLibrary.Candidates"/>)
    /// and initializes it; throws <see cref="DistributedException"/> naming the packages to install when none loads,
    /// and when MPI counts other ranks than the launcher announced.</summary>
    public MpiCommunicator()
        : this(MpiLibrary.Candidates(Environment.GetEnvironmentVariable))
    {
    }

    /// <summary>Loads MPI from <paramref name="library"/> (a file name or path, e.g. an MPI outside the system's
    /// library path) and initializes it.</summary>
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
        string? mismatch = LauncherMismatch(Communicators.Launched(Environment.GetEnvironmentVariable), Size,
            $"{MpiLibrary.Name(_mpi.Family)} ({_mpi.LibraryName})");
        if (mismatch is not null)
        {
            _mpi.FinalizeOnce();
            throw new DistributedException(mismatch);
        }
    }

    /// <summary>The MPI this communicator runs on: "Open MPI" or "MPICH" (the MPICH ABI).</summary>
    public string Implementation => MpiLibrary.Name(_mpi.Family);

    /// <summary>
    /// Why a job whose launcher announced <paramref name="launched"/> ranks cannot run on <paramref name="library"/>,
    /// which counts <paramref name="size"/>; null when they agree or no launcher announced a size. A library that
    /// does not belong to the launcher initializes every process as a job of its own, which would train N separate
    /// copies side by side, all writing the same files.
    /// </summary>
    public static string? LauncherMismatch((string Variable, int Size)? launched, int size, string library) =>
        launched is (string variable, int announced) && announced != size
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the launcher started {announced} ranks ({variable}={announced}), but MPI on {library} counts {size}: "
                + $"this process was started by another MPI's launcher. Start it with the mpirun of the MPI FastNet "
                + $"loads, or set {MpiLibrary.OverrideVariable} to the library of the launcher used")
            : null;

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
