using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Benchmarking;

/// <summary>What one square SGEMM measured on one backend.</summary>
/// <param name="Backend">Where.</param>
/// <param name="Size">n of the n×n·n×n product.</param>
/// <param name="GflopsPerSecond">2n³ per second at the median repeat.</param>
/// <param name="Repeats">GFLOP/s of every repeat.</param>
/// <param name="Calls">Products timed in all.</param>
/// <param name="Load">How busy the machine was during the timed repeats.</param>
/// <param name="Latencies">The load latency probed after each repeat; null where it was not probed.</param>
public sealed record GemmResult(string Backend, int Size, double GflopsPerSecond, double[] Repeats, long Calls,
    MachineLoad Load, LoadLatencies? Latencies = null);

/// <summary>
/// Times the backend's plain matrix product, C = A·B with n×n operands, as <see cref="IBackend.DenseForward"/> runs it
/// with no bias and the identity activation: the SGEMM every layer is built on, free of the rest of a training step.
/// </summary>
public static class GemmTimer
{
    /// <summary>Measures n³ products on <paramref name="backend"/>: a warm-up, then repeats of at least
    /// <paramref name="secondsPerRepeat"/> each; the median is reported, with the load <paramref name="load"/> (the
    /// machine's <c>/proc</c> by default) saw meanwhile and, when <paramref name="latency"/> is given, the load latency it
    /// probed after each repeat.</summary>
    /// <exception cref="NotEnoughMemoryException">The operands do not fit in the memory available
    /// (<see cref="GemmMemory"/>).</exception>
    public static GemmResult Run(IBackend backend, int n, int repeats, double secondsPerRepeat, ILoadSampler? load = null,
        ILatencyProbe? latency = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        RepeatCount.Check(repeats);
        GemmMemory.For(backend, n).EnsureFits(backend); // before the operands are allocated
        using FloatBuffer a = backend.Allocate(checked(n * n)), b = backend.Allocate(n * n), c = backend.Allocate(n * n);
        var random = new SeededRandom(5);
        float[] row = new float[n];
        foreach (FloatBuffer operand in new[] { a, b })
        {
            for (int r = 0; r < n; r++)
            {
                for (int j = 0; j < n; j++)
                {
                    row[j] = (float)random.NextDouble(-1, 1);
                }
                backend.Upload(row, operand.Slice(r * n, n));
            }
        }

        void Multiply() => backend.DenseForward(a.All, b.All, BufferView.Empty, n, n, n, Activation.Identity, c.All);

        RepeatTimes times = TimedRepeats.Run(Multiply, backend.Synchronize, repeats, secondsPerRepeat,
            load ?? ProcCounters.Machine, latency: latency);
        double gigaflops = 2.0 * n * n * n / 1e9;
        double[] rates = [.. times.CallsPerSecond.Select(c => c * gigaflops)];
        return new GemmResult(backend.Name, n, WorkloadTimer.Median(rates), rates, times.Calls, times.Load,
            times.Latencies);
    }
}
