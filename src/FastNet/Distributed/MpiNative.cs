using System.Runtime.InteropServices;

namespace FastNet.Distributed;

/// <summary>
/// The few Open MPI entry points FastNet calls, bound at run time from libmpi.so.40 (Open MPI 4, Debian's
/// libopenmpi3). Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_BYTE, MPI_SUM) are the addresses of exported
/// globals; MPI_IN_PLACE is (void*)1. An MPI_Request is a pointer (struct ompi_request_t *), and MPI_STATUS_IGNORE is
/// (MPI_Status*)0. MPICH's handles are integers, so this layer is for Open MPI only.
/// </summary>
internal sealed unsafe class MpiNative
{
    /// <summary>What to install when the library is missing.</summary>
    public const string Package = "openmpi-bin (it brings the runtime library, libopenmpi3)";

    /// <summary>Where Open MPI's library is looked for by default.</summary>
    public static readonly string[] LibraryNames = ["libmpi.so.40", "libmpi.so"];

    private MpiNative(nint library)
    {
        nint Get(string name) => NativeLibrary.GetExport(library, name);
        Init = Get("MPI_Init");
        Initialized = Get("MPI_Initialized");
        Finalized = Get("MPI_Finalized");
        CommRank = Get("MPI_Comm_rank");
        CommSize = Get("MPI_Comm_size");
        AllreduceFn = Get("MPI_Allreduce");
        IallreduceFn = Get("MPI_Iallreduce");
        TestFn = Get("MPI_Test");
        WaitFn = Get("MPI_Wait");
        BcastFn = Get("MPI_Bcast");
        AbortFn = Get("MPI_Abort");
        FinalizeFn = Get("MPI_Finalize");
        CommWorld = Get("ompi_mpi_comm_world");
        Float = Get("ompi_mpi_float");
        Byte = Get("ompi_mpi_byte");
        Sum = Get("ompi_mpi_op_sum");
    }

    private nint Init { get; }
    private nint Initialized { get; }
    private nint Finalized { get; }
    private nint CommRank { get; }
    private nint CommSize { get; }
    private nint AllreduceFn { get; }
    private nint IallreduceFn { get; }
    private nint TestFn { get; }
    private nint WaitFn { get; }
    private nint BcastFn { get; }
    private nint AbortFn { get; }
    private nint FinalizeFn { get; }
    private nint CommWorld { get; }
    private nint Float { get; }
    private nint Byte { get; }
    private nint Sum { get; }

    /// <summary>Loads Open MPI's library from the first of <paramref name="names"/> that loads, or throws naming the
    /// package that provides it.</summary>
    public static MpiNative Load(IReadOnlyList<string> names)
    {
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out nint library))
            {
                try
                {
                    return new MpiNative(library);
                }
                catch (EntryPointNotFoundException e)
                {
                    throw new DistributedException(
                        $"{name} is not Open MPI's library ({e.Message}); FastNet runs on Open MPI: install {Package}");
                }
            }
        }
        throw new DistributedException(
            $"running under MPI, but Open MPI's library ({string.Join(" or ", names)}) could not be loaded: install "
            + $"{Package}, e.g. apt-get install openmpi-bin");
    }

    public void InitOnce()
    {
        int done = 0;
        Check(((delegate* unmanaged<int*, int>)Initialized)(&done), "MPI_Initialized");
        if (done == 0)
        {
            Check(((delegate* unmanaged<nint, nint, int>)Init)(0, 0), "MPI_Init");
        }
    }

    public int Rank()
    {
        int rank;
        Check(((delegate* unmanaged<nint, int*, int>)CommRank)(CommWorld, &rank), "MPI_Comm_rank");
        return rank;
    }

    public int Size()
    {
        int size;
        Check(((delegate* unmanaged<nint, int*, int>)CommSize)(CommWorld, &size), "MPI_Comm_size");
        return size;
    }

    public void AllReduceSum(Span<float> values)
    {
        fixed (float* p = values)
        {
            Check(((delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)AllreduceFn)(
                1, (nint)p, values.Length, Float, Sum, CommWorld), "MPI_Allreduce");
        }
    }

    /// <summary>MPI_Iallreduce in place: starts values ← Σ values, writing the request's handle to
    /// <paramref name="request"/>. <paramref name="values"/> must stay pinned until the request completes.</summary>
    public void StartAllReduceSum(float* values, int count, nint* request) =>
        Check(((delegate* unmanaged<nint, nint, int, nint, nint, nint, nint*, int>)IallreduceFn)(
            1, (nint)values, count, Float, Sum, CommWorld, request), "MPI_Iallreduce");

    /// <summary>MPI_Test: true once the request is complete, which then frees it and sets the handle to
    /// MPI_REQUEST_NULL (a later MPI_Wait on it returns at once).</summary>
    public bool Test(nint* request)
    {
        int flag;
        Check(((delegate* unmanaged<nint*, int*, nint, int>)TestFn)(request, &flag, 0), "MPI_Test");
        return flag != 0;
    }

    /// <summary>MPI_Wait: returns once the request is complete, and sets the handle to MPI_REQUEST_NULL.</summary>
    public void Wait(nint* request) =>
        Check(((delegate* unmanaged<nint*, nint, int>)WaitFn)(request, 0), "MPI_Wait");

    public void Broadcast(Span<byte> data, int root)
    {
        fixed (byte* p = data)
        {
            Check(((delegate* unmanaged<nint, int, nint, int, nint, int>)BcastFn)((nint)p, data.Length, Byte, root, CommWorld),
                "MPI_Bcast");
        }
    }

    public void Abort(int exitCode) => ((delegate* unmanaged<nint, int, int>)AbortFn)(CommWorld, exitCode);

    public void FinalizeOnce()
    {
        int done = 0;
        Check(((delegate* unmanaged<int*, int>)Finalized)(&done), "MPI_Finalized");
        if (done == 0)
        {
            Check(((delegate* unmanaged<int>)FinalizeFn)(), "MPI_Finalize");
        }
    }

    private static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new DistributedException($"{call} failed with MPI error code {code}");
        }
    }
}
