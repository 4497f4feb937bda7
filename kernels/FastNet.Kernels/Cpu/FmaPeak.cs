using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastNet.Kernels.Cpu;

/// <summary>
/// Measures this machine's float32 fused-multiply-add peak: every core runs independent FMA chains on the widest vectors
/// the JIT accelerates, so nothing but the FMA units limits it. The denominator of "% of peak". The chains and their
/// two constants must all stay in registers: sixteen chains with AVX-512's 32 registers, twelve with the 16 of AVX2
/// and SSE (sixteen there spill three chains to the stack, and the store-to-load round trip each step halved the
/// reading). Twelve still cover the FMA latency × throughput of current cores (5 × 2 on Zen 2 and 3, 4 × 2 on Intel).
/// </summary>
public static class FmaPeak
{
    private static readonly Dictionary<int, double> Cache = [];

    /// <summary>GFLOP/s on <paramref name="threads"/> threads: the best of five short runs after a warm-up, cached per
    /// process. The best, not the median, because other processes can only slow the probe down.</summary>
    public static double Measure(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        lock (Cache)
        {
            if (!Cache.TryGetValue(threads, out double peak))
            {
                Run(threads, 1_000_000);
                for (int i = 0; i < 5; i++)
                {
                    peak = Math.Max(peak, Run(threads, 20_000_000));
                }
                Cache[threads] = peak;
            }
            return peak;
        }
    }

    /// <summary>GFLOP/s of one timed run of <paramref name="iterations"/> FMA steps on each of
    /// <paramref name="threads"/> threads (2 FLOPs per lane per FMA).</summary>
    public static double Run(int threads, long iterations)
    {
        var clock = Stopwatch.StartNew();
        Thread[] workers = [.. Enumerable.Range(0, threads).Select(_ => new Thread(() => Chains(iterations)))];
        foreach (Thread worker in workers)
        {
            worker.Start();
        }
        foreach (Thread worker in workers)
        {
            worker.Join();
        }
        return 2.0 * Lanes * Accumulators * iterations * threads / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static int Accumulators => Vector512.IsHardwareAccelerated ? 16 : 12;

    private static int Lanes => Vector512.IsHardwareAccelerated ? Vector512<float>.Count
        : Vector256.IsHardwareAccelerated ? Vector256<float>.Count : Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chains(long iterations)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return Chains512(iterations);
        }
        return Vector256.IsHardwareAccelerated ? Chains256(iterations) : Chains128(iterations);
    }

    // Each chain starts from a different value: identical chains could be merged by the JIT's value numbering.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chains512(long n)
    {
        Vector512<float> m = Vector512.Create(0.9999f), c = Vector512.Create(1e-4f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = Vector512.Create(2f), a2 = Vector512.Create(3f), a3 = Vector512.Create(4f);
        Vector512<float> a4 = Vector512.Create(5f), a5 = Vector512.Create(6f), a6 = Vector512.Create(7f), a7 = Vector512.Create(8f);
        Vector512<float> a8 = Vector512.Create(9f), a9 = Vector512.Create(10f), a10 = Vector512.Create(11f), a11 = Vector512.Create(12f);
        Vector512<float> a12 = Vector512.Create(13f), a13 = Vector512.Create(14f), a14 = Vector512.Create(15f), a15 = Vector512.Create(16f);
        for (long i = 0; i < n; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            a12 = Vector512.FusedMultiplyAdd(a12, m, c); a13 = Vector512.FusedMultiplyAdd(a13, m, c);
            a14 = Vector512.FusedMultiplyAdd(a14, m, c); a15 = Vector512.FusedMultiplyAdd(a15, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chains256(long n)
    {
        Vector256<float> m = Vector256.Create(0.9999f), c = Vector256.Create(1e-4f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = Vector256.Create(2f), a2 = Vector256.Create(3f), a3 = Vector256.Create(4f);
        Vector256<float> a4 = Vector256.Create(5f), a5 = Vector256.Create(6f), a6 = Vector256.Create(7f), a7 = Vector256.Create(8f);
        Vector256<float> a8 = Vector256.Create(9f), a9 = Vector256.Create(10f), a10 = Vector256.Create(11f), a11 = Vector256.Create(12f);
        for (long i = 0; i < n; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chains128(long n)
    {
        Vector128<float> m = Vector128.Create(0.9999f), c = Vector128.Create(1e-4f);
        Vector128<float> a0 = Vector128.Create(1f), a1 = Vector128.Create(2f), a2 = Vector128.Create(3f), a3 = Vector128.Create(4f);
        Vector128<float> a4 = Vector128.Create(5f), a5 = Vector128.Create(6f), a6 = Vector128.Create(7f), a7 = Vector128.Create(8f);
        Vector128<float> a8 = Vector128.Create(9f), a9 = Vector128.Create(10f), a10 = Vector128.Create(11f), a11 = Vector128.Create(12f);
        for (long i = 0; i < n; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, m, c); a1 = Vector128.FusedMultiplyAdd(a1, m, c);
            a2 = Vector128.FusedMultiplyAdd(a2, m, c); a3 = Vector128.FusedMultiplyAdd(a3, m, c);
            a4 = Vector128.FusedMultiplyAdd(a4, m, c); a5 = Vector128.FusedMultiplyAdd(a5, m, c);
            a6 = Vector128.FusedMultiplyAdd(a6, m, c); a7 = Vector128.FusedMultiplyAdd(a7, m, c);
            a8 = Vector128.FusedMultiplyAdd(a8, m, c); a9 = Vector128.FusedMultiplyAdd(a9, m, c);
            a10 = Vector128.FusedMultiplyAdd(a10, m, c); a11 = Vector128.FusedMultiplyAdd(a11, m, c);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
