namespace FastNet.Kernels.Simd;

/// <summary>
/// Cuts n units of work (a GEMM's column panels, the backward sweep's row panels) into tasks of a
/// <see cref="WorkerPool"/> job so that the threads balance themselves when one core runs slower than the other.
/// Each thread's first claim is a large task (5/8 of an even share: the caller takes the lowest, the workers the
/// highest), and the rest lies between them in three small tasks per thread (1/8 each), claimed by whichever thread is
/// free. With cores of equal speed every thread ends with the same contiguous share as an even split; where one core
/// runs slower (on a 2-core AVX-512 Zen 5 virtual machine, one core or the other from one process to the next, by up
/// to half at memory-bound work), the faster takes up to 11/16 of the work instead of waiting for the slower: the idle
/// time inside a batch-64 step's jobs fell from 349–384 to 171–214 µs there, and was unchanged where the cores ran
/// alike.
/// Which thread computes a unit never changes what it computes, so results do not depend on the split.
/// </summary>
internal static class GuidedSplit
{
    /// <summary>Tasks for <paramref name="threads"/> threads: one without workers, else four per thread.</summary>
    public static int Tasks(int threads) => threads <= 1 ? 1 : 4 * threads;

    /// <summary>The first unit of <paramref name="task"/> (0 … <see cref="Tasks"/>, the last giving
    /// <paramref name="units"/>): tasks weigh 5, then 1 (3 per thread), then 5 (the other threads' first claims),
    /// out of 8 per thread, each boundary rounded to the nearest unit (a small task may be empty).</summary>
    public static int Start(int units, int threads, int task)
    {
        if (threads <= 1)
        {
            return task == 0 ? 0 : units;
        }
        int small = 3 * threads;
        long weight = task == 0 ? 0 : task <= small + 1 ? 5 + (task - 1) : 5 + small + (5L * (task - small - 1));
        long whole = 8L * threads;
        return (int)(((weight * units) + (whole / 2)) / whole);
    }
}
