using System.Runtime.InteropServices;

namespace FastNet.Distributed;

/// <summary>
/// The few MPI entry points FastNet calls, bound at run time from Open MPI's library (libmpi.so.40, Debian's
/// libopenmpi3) or one of MPICH's ABI (libmpich.so.12). Handles are passed as pointer-sized values: MPICH's are 32-bit
/// integers, which the x86-64 and AArch64 calling conventions pass in the low half of the same registers. An
/// MPI_Request is a pointer in Open MPI and an int in MPICH: it is kept in an 8-byte slot that starts at 0, and only
/// the library reads it.
/// </summary>
internal sealed unsafe class MpiNative
{
    private MpiNative(nint library, string name, MpiFamily family)
    {
        nint Get(string name) => NativeLibrary.GetExport(library, name);
        Family = family;
        LibraryName = name;
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
        if (family == MpiFamily.OpenMpi)
        {
            CommWorld = Get("ompi_mpi_comm_world");
            Float = Get("ompi_mpi_float");
            Byte = Get("ompi_mpi_byte");
            Sum = Get("ompi_mpi_op_sum");
            InPlace = 1;
            StatusIgnore = 0;
        }
        else
        {
            // the values of MPICH's mpi.h, fixed by its ABI
            CommWorld = 0x44000000;
            Float = 0x4c00040a;
            Byte = 0x4c00010d;
            Sum = 0x58000003;
            InPlace = -1;
            StatusIgnore = 1;
        }
    }

    /// <summary>Which spelling of the handles the library uses.</summary>
    public MpiFamily Family { get; }

    /// <summary>The library's name as it was loaded, for messages.</summary>
    public string LibraryName { get; }

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
    private nint InPlace { get; }
    private nint StatusIgnore { get; }

    /// <summary>Loads the first of <paramref name="names"/> that loads, or throws naming the packages that provide
    /// one.</summary>
    public static MpiNative Load(IReadOnlyList<string> names)
    {
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out nint library))
            {
                try
                {
                    return new MpiNative(library, name, MpiLibrary.FamilyOf(library));
                }
                catch (EntryPointNotFoundException e)
                {
                    throw new DistributedException(
                        $"{name} is not an MPI library FastNet can use ({e.Message}); install {MpiLibrary.Packages}");
                }
            }
        }
        throw new DistributedException(
            $"running under MPI, but no MPI library ({string.Join(", ", names)}) could be loaded: install "
            + $"{MpiLibrary.Packages}, e.g. apt-get install openmpi-bin, and start the ranks with that MPI's mpirun");
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
                InPlace, (nint)p, values.Length, Float, Sum, CommWorld), "MPI_Allreduce");
        }
    }

    /// <summary>MPI_Iallreduce in place: starts values ← Σ values, writing the request's handle to
    /// <paramref name="request"/>. <paramref name="values"/> must stay pinned until the request completes.</summary>
    public void StartAllReduceSum(float* values, int count, nint* request) =>
        Check(((delegate* unmanaged<nint, nint, int, nint, nint, nint, nint*, int>)IallreduceFn)(
            InPlace, (nint)values, count, Float, Sum, CommWorld, request), "MPI_Iallreduce");

    /// <summary>MPI_Test: true once the request is complete, which then frees it and sets the handle to
    /// MPI_REQUEST_NULL (a later MPI_Wait on it returns at once).</summary>
    public bool Test(nint* request)
    {
        int flag;
        Check(((delegate* unmanaged<nint*, int*, nint, int>)TestFn)(request, &flag, StatusIgnore), "MPI_Test");
        return flag != 0;
    }

    /// <summary>MPI_Wait: returns once the request is complete, and sets the handle to MPI_REQUEST_NULL.</summary>
    public void Wait(nint* request) =>
        Check(((delegate* unmanaged<nint*, nint, int>)WaitFn)(request, StatusIgnore), "MPI_Wait");

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
