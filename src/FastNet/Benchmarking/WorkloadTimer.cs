using System.Diagnostics;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Benchmarking;

/// <summary>What one workload measured on one backend.</summary>
/// <param name="Workload">What was timed.</param>
/// <param name="Backend">Where.</param>
/// <param name="SamplesPerSecond">Median over the repeats.</param>
/// <param name="Repeats">Samples/s of every repeat.</param>
/// <param name="Steps">Training steps timed in all.</param>
/// <param name="GflopsPerSecond">Dense-layer FLOPs (forward and backward) per second at the median.</param>
/// <param name="ModelBytes">Parameters, gradients, optimizer state, activations and deltas, the batch and the
/// dataset, as FastNet allocates them.</param>
/// <param name="PeakWorkingSetBytes">The process's peak working set after the measurement (process-wide).</param>
/// <param name="DeviceBytes">Device memory the backend held during the measurement; null for host backends.</param>
public sealed record WorkloadResult(Workload Workload, string Backend, double SamplesPerSecond, double[] Repeats,
    long Steps, double GflopsPerSecond, long ModelBytes, long PeakWorkingSetBytes, long? DeviceBytes);

/// <summary>
/// Times whole training steps (gather, forward, loss, backward, optimizer) of a workload on synthetic data that
/// lives on the backend: a warm-up, then repeats of at least a minimum duration each; the median is reported.
/// </summary>
public static class WorkloadTimer
{
    private const double WarmupSeconds = 0.5;

    /// <summary>Measures <paramref name="workload"/> on <paramref name="backend"/>; <paramref name="deviceBytes"/>
    /// reads a device backend's memory in use (null for host backends).</summary>
    public static WorkloadResult Run(IBackend backend, Workload workload, int repeats, double secondsPerRepeat,
        Func<IBackend, long?>? deviceBytes = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(workload);
        Model.NetworkSpec spec = workload.Spec();
        Dataset data = Synthetic(spec, Math.Max(workload.Batch * 4, 256));
        Model.Model model = new Initializer(InitializerKind.Auto).Create(spec, new SeededRandom(1));
        using var network = new TrainingNetwork(backend, model, workload.Loss, workload.OptimizerSettings(), workload.Batch);
        using var device = new DeviceDataset(backend, data);
        using IndexBuffer order = backend.AllocateIndices(data.Count);
        backend.UploadIndices(DataSplitter.Permutation(data.Count, 2), order);
        using FloatBuffer x = backend.Allocate(workload.Batch * spec.Inputs), t = backend.Allocate(workload.Batch * spec.Outputs);
        int batches = data.Count / workload.Batch, next = 0;

        void Step()
        {
            int first = next++ % batches * workload.Batch;
            backend.GatherRows(device.Features.All, spec.Inputs, order, first, workload.Batch, x.All);
            backend.GatherRows(device.Targets.All, spec.Outputs, order, first, workload.Batch, t.All);
            network.TrainBatch(x.All, t.All, workload.Batch);
        }

        // Warm up long enough for tiered compilation to replace the kernels' first, unoptimized code (tens of steps).
        var warmup = Stopwatch.StartNew();
        for (int w = 0; w < 3 || warmup.Elapsed.TotalSeconds < WarmupSeconds; w++)
        {
            Step();
            backend.Synchronize();
        }
        double[] rates = new double[repeats];
        long steps = 0;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            int count = 0;
            do
            {
                Step();
                count++;
                if (count % 8 == 0 || clock.Elapsed.TotalSeconds >= secondsPerRepeat)
                {
                    backend.Synchronize();
                }
            }
            while (clock.Elapsed.TotalSeconds < secondsPerRepeat);
            backend.Synchronize();
            rates[r] = (double)count * workload.Batch / clock.Elapsed.TotalSeconds;
            steps += count;
        }
        double median = Median(rates);
        long modelBytes = 4L * (3L * spec.ParameterCount
            + (long)OptimizerStep.StateSlots(workload.Optimizer) * spec.ParameterCount
            + 2L * workload.Batch * spec.Layers.Sum(l => l.Units)
            + (long)workload.Batch * (spec.Inputs + spec.Outputs)
            + data.Features.Length + data.Targets.Length);
        return new WorkloadResult(workload, backend.Name, median, rates, steps,
            median * spec.TrainingFlopsPerExample() / 1e9, modelBytes, Process.GetCurrentProcess().PeakWorkingSet64,
            deviceBytes?.Invoke(backend));
    }

    /// <summary>The middle value (mean of the two middle ones for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] sorted = [.. values.Order()];
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Dataset Synthetic(Model.NetworkSpec spec, int count)
    {
        var random = new SeededRandom(3);
        float[] features = new float[count * spec.Inputs];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = (float)random.NextDouble();
        }
        int[] labels = [.. Enumerable.Range(0, count).Select(_ => random.NextInt(spec.Outputs))];
        return new Dataset("synthetic", spec.Inputs, features, spec.Outputs, Dataset.OneHot(labels, spec.Outputs),
            spec.Outputs, labels);
    }
}
