using FastNet.Kernels;
using FastNet.Kernels.Simd;
using FastNet.Training;

namespace FastNet.Benchmarking;

/// <summary>
/// What <see cref="GemmTimer"/> allocates for an n×n product, in bytes, computed from n before anything is allocated
/// and checked against the memory available as a training run's is (<see cref="TrainingMemory"/>).
/// </summary>
/// <param name="Size">n.</param>
/// <param name="Operands">A, B and C on the backend: n² floats each.</param>
/// <param name="Scratch">The SIMD backend's GEMM scratch: its packed copy of B, the columns rounded up to whole 32-wide
/// panels, and each thread's packed block of A and micro-tile (<see cref="SimdBackend.GemmThreadScratchBytes"/>); 0 on
/// other backends.</param>
/// <param name="HostRow">The row the operands are filled through, a row at a time, on the host.</param>
public sealed record GemmMemory(int Size, long Operands, long Scratch, long HostRow)
{
    /// <summary>The largest n: an operand is one buffer of n² floats, which a buffer indexes by <see cref="int"/>.</summary>
    public static readonly int MaxSize = (int)Math.Sqrt(int.MaxValue);

    private const int PanelWidth = 32;

    /// <summary>The items on the backend.</summary>
    public long DeviceBytes => checked(Operands + Scratch);

    /// <summary>All items.</summary>
    public long TotalBytes => checked(DeviceBytes + HostRow);

    /// <summary>The product of n×n operands on <paramref name="backend"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not from 1 to <see cref="MaxSize"/>.</exception>
    public static GemmMemory For(IBackend backend, int n)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, MaxSize);
        long squared = (long)n * n;
        long scratch = backend is SimdBackend simd
            ? checked(SimdBackend.ScratchArrayBytes((n + PanelWidth - 1L) / PanelWidth * PanelWidth * n)
                + (simd.Threads * simd.GemmThreadScratchBytes))
            : 0;
        return new GemmMemory(n, 3 * squared * sizeof(float), scratch, (long)n * sizeof(float));
    }

    /// <summary>Throws <see cref="NotEnoughMemoryException"/> when the product does not fit in the memory available
    /// now (<see cref="AvailableMemory"/>) on <paramref name="backend"/>.</summary>
    public void EnsureFits(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        EnsureFits(AvailableMemory.HostBytes(), AvailableMemory.DeviceBytes(backend), backend.Name);
    }

    /// <summary><see cref="EnsureFits(IBackend)"/> against given free memory: <paramref name="deviceBytes"/> null
    /// means the backend computes in host memory.</summary>
    public void EnsureFits(long hostBytes, long? deviceBytes, string backendName)
    {
        string product = $"the {Size}³ SGEMM";
        if (deviceBytes is null)
        {
            if (TotalBytes > hostBytes)
            {
                throw new NotEnoughMemoryException($"not enough memory: {product} needs {TrainingMemory.GiB(TotalBytes)} "
                    + $"({Breakdown()}), {TrainingMemory.GiB(hostBytes)} available; use a smaller size");
            }
            return;
        }
        if (DeviceBytes > deviceBytes)
        {
            throw new NotEnoughMemoryException($"not enough device memory: {product} needs {TrainingMemory.GiB(DeviceBytes)} "
                + $"on the {backendName} device ({Breakdown()}), {TrainingMemory.GiB(deviceBytes.Value)} free there; "
                + "use a smaller size");
        }
        if (HostRow > hostBytes)
        {
            throw new NotEnoughMemoryException($"not enough memory: {product} needs {TrainingMemory.GiB(HostRow)} on the "
                + $"host, {TrainingMemory.GiB(hostBytes)} available");
        }
    }

    private string Breakdown() =>
        $"three operands {TrainingMemory.GiB(Operands)}" + (Scratch > 0 ? $", backend scratch {TrainingMemory.GiB(Scratch)}" : "");
}
