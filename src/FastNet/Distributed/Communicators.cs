using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FastNet.Kernels;

namespace FastNet.Distributed;

/// <summary>Choosing the communicator for a run, and what the ranks check together.</summary>
public static class Communicators
{
    /// <summary>The environment variables by which a launcher tells a process it is one rank of an MPI job: Open
    /// MPI's, then PMI's (Slurm, Hydra).</summary>
    public static readonly string[] SizeVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"];

    /// <summary>The number of ranks the environment announces, or null when this process was not started by an MPI
    /// launcher.</summary>
    public static int? LaunchedRanks(Func<string, string?> environment) => Launched(environment)?.Size;

    /// <summary>The variable by which the environment announces the job's size, and the size; null when this
    /// process was not started by an MPI launcher.</summary>
    public static (string Variable, int Size)? Launched(Func<string, string?> environment) =>
        LauncherEnvironment.First(environment, SizeVariables, minimum: 1);

    /// <summary>MPI when <paramref name="forceMpi"/> or an MPI launcher started this process, otherwise
    /// <see cref="SingleProcess"/>, which behaves exactly as training without data parallelism.</summary>
    public static ICommunicator Create(bool forceMpi) =>
        forceMpi || LaunchedRanks(Environment.GetEnvironmentVariable) is not null ? new MpiCommunicator() : SingleProcess.Instance;

    /// <summary>
    /// Collective: every rank passes its own <paramref name="value"/> (a description of its configuration, its
    /// parameters, …); throws <see cref="DistributedException"/> on every rank when any rank's SHA-256 of it differs from
    /// rank 0's. One broadcast of rank 0's hash and one all-reduce of the count of ranks that differ.
    /// </summary>
    public static void RequireAgreement(ICommunicator communicator, ReadOnlySpan<byte> value, string what)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size > 1)
        {
            RequireSameHash(communicator, SHA256.HashData(value), what);
        }
    }

    /// <summary>
    /// <see cref="RequireAgreement(ICommunicator, ReadOnlySpan{byte}, string)"/> given this rank's hash of its value
    /// (<paramref name="hash"/>, the same length on every rank), for a value hashed in pieces where it lies.
    /// </summary>
    public static void RequireSameHash(ICommunicator communicator, ReadOnlySpan<byte> hash, string what)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size == 1)
        {
            return;
        }
        Span<byte> root = stackalloc byte[hash.Length];
        hash.CopyTo(root);
        communicator.Broadcast(root, 0);
        bool same = hash.SequenceEqual(root);
        float[] differing = [same ? 0 : 1];
        communicator.AllReduceSum(differing);
        if (differing[0] > 0)
        {
            string which = same ? "" : string.Create(CultureInfo.InvariantCulture, $" (rank {communicator.Rank} is one)");
            throw new DistributedException(string.Create(CultureInfo.InvariantCulture,
                $"{what} differs between the ranks: {differing[0]} of {communicator.Size} ranks disagree with rank 0{which}"));
        }
    }

    /// <summary><see cref="RequireAgreement(ICommunicator, ReadOnlySpan{byte}, string)"/> for floats.</summary>
    public static void RequireAgreement(ICommunicator communicator, ReadOnlySpan<float> value, string what) =>
        RequireAgreement(communicator, MemoryMarshal.AsBytes(value), what);

    /// <summary>Collective: returns on each rank once every rank has called it (an all-reduce of one number).</summary>
    public static void Barrier(ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size > 1)
        {
            communicator.AllReduceSum(stackalloc float[1]);
        }
    }

    /// <summary>Replaces <paramref name="values"/> with rank 0's, on every rank (collective).</summary>
    public static void BroadcastFromRoot(ICommunicator communicator, Span<float> values)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size > 1)
        {
            communicator.Broadcast(MemoryMarshal.AsBytes(values), 0);
        }
    }

    /// <summary>
    /// Collective: replaces <paramref name="values"/> (the same length on every rank) with their sum over the ranks,
    /// added in rank order in float64, so every rank gets the same bits. One broadcast per rank: for a few numbers (an
    /// epoch's loss sum and correct count), where a float32 all-reduce would round them.
    /// </summary>
    public static void SumInRankOrder(ICommunicator communicator, Span<double> values)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size == 1)
        {
            return;
        }
        double[] own = values.ToArray(), received = new double[values.Length];
        values.Clear();
        for (int r = 0; r < communicator.Size; r++)
        {
            own.CopyTo(received, 0);
            communicator.Broadcast(MemoryMarshal.AsBytes(received.AsSpan()), r);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += received[i];
            }
        }
    }

    /// <summary>
    /// Rank <paramref name="rank"/>'s share of a batch of <paramref name="rows"/> rows split over
    /// <paramref name="ranks"/>: consecutive slices of ⌈rows/ranks⌉ rows in rank order, the last ones shorter or empty
    /// (a batch of 10 over 3 ranks: 4, 4, 2; of 2 over 3: 1, 1, 0). Returns the offset in the batch and the count.
    /// </summary>
    public static (int First, int Rows) Slice(int rows, int ranks, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        int size = (rows + ranks - 1) / ranks;
        int first = Math.Min(rows, rank * size);
        return (first, Math.Min(size, rows - first));
    }
}
