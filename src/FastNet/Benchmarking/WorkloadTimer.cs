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
/// <param name="Memory">What the workload allocates, and the resident memory before and at its peak.</param>
/// <param name="DeviceBytes">Device memory the backend held during the measurement; null for host backends.</param>
/// <param name="LaunchesPerStep">Kernels a training step launches on a device backend; null for host backends.</param>
/// <param name="AllocatedBytesPerStep">Managed bytes a step allocates on the thread that runs it (a device backend's
/// launches included) and on the backend's worker threads, as <see cref="StepAllocations"/> counts them over the timed
/// steps.</param>
/// <param name="Load">How busy the machine was during the timed steps.</param>
/// <param name="Latencies">The load latency probed after each repeat; null where it was not probed.</param>
public sealed record WorkloadResult(Workload Workload, string Backend, double SamplesPerSecond, double[] Repeats,
    long Steps, double GflopsPerSecond, WorkloadMemory Memory, long? DeviceBytes, long? LaunchesPerStep,
    double AllocatedBytesPerStep, MachineLoad Load, LoadLatencies? Latencies = null);

/// <summary>
/// Times whole training steps (gather, forward, loss, backward, optimizer) of a workload on synthetic data that
/// lives on the backend: a warm-up, then repeats of at least a minimum duration each; the median is reported.
/// Memory is taken around it: the resident memory before anything is allocated, and (where the kernel allows a
/// reset) the peak reached during this workload alone.
/// </summary>
public static class WorkloadTimer
{
    // rows of synthetic data generated and uploaded at a time
    private const int UploadRows = 64;

    /// <summary>Measures <paramref name="workload"/> on <paramref name="backend"/>; a device backend
    /// (<see cref="IDeviceCounters"/>) also reports its memory in use and the launches of one step. The load
    /// <paramref name="load"/> (the machine's <c>/proc</c> by default) saw during the timed steps comes with it.
    /// <paramref name="timed"/>, when given, is told when the timed steps begin and end; <paramref name="latency"/>,
    /// when given, probes the load latency after each repeat.</summary>
    public static WorkloadResult Run(IBackend backend, Workload workload, int repeats, double secondsPerRepeat,
        ILoadSampler? load = null, ITimedCalls? timed = null, ILatencyProbe? latency = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(workload);
        RepeatCount.Check(repeats);
        ResidentMemory.Settle();
        long baseline = ResidentMemory.CurrentBytes();
        string? peakUnavailable = ResidentMemory.ResetPeak();

        Model.NetworkSpec spec = workload.Spec();
        int batch = workload.Batch, micro = workload.MicroBatch, examples = Math.Max(batch * 4, 256);
        TrainingMemory.ForTraining(backend, spec, workload.Optimizer, true, batch, examples, 0, workload.Accumulate)
            .EnsureFits(backend);
        using TrainingNetwork network = Network(backend, workload);
        ResidentMemory.Settle(); // the initial parameters' host copy, uploaded, goes before the dataset comes
        (FloatBuffer features, FloatBuffer targets) = Synthetic(backend, spec, examples);
        using FloatBuffer dataFeatures = features, dataTargets = targets;
        // batches are taken as the trainer takes them: gathered on the backend, or read in place at batch 1, and with
        // accumulation a micro-batch at a time
        using var batches = new BatchSource(backend, features.All, spec.Inputs, targets.All, spec.Outputs, micro);
        batches.SetOrder(DataSplitter.Permutation(examples, 2));
        int batchCount = examples / batch, next = 0;

        void Step()
        {
            int first = next++ % batchCount * batch;
            if (micro == batch)
            {
                (BufferView x, BufferView t) = batches.Take(first, batch);
                network.TrainBatch(x, t, batch);
                return;
            }
            for (int done = 0; done < batch; done += micro)
            {
                int take = Math.Min(micro, batch - done);
                (BufferView x, BufferView t) = batches.Take(first + done, take);
                network.AccumulateGradients(x, t, take, batch, first: done == 0);
            }
            network.StepAccumulated();
        }

        var device = backend as IDeviceCounters;
        long? launches = null;
        if (device is not null)
        {
            // every step launches the same kernels (all batches are full), so one counted step stands for all
            long before = device.KernelLaunches;
            Step();
            launches = device.KernelLaunches - before;
        }
        RepeatTimes times = TimedRepeats.Run(Step, backend.Synchronize, repeats, secondsPerRepeat,
            load ?? ProcCounters.Machine, timed, backend, latency);
        double[] rates = [.. times.CallsPerSecond.Select(s => s * batch)];
        double median = Median(rates);
        long? peak = peakUnavailable is null ? ResidentMemory.PeakBytes() : null;
        long? deviceBytes = device?.DeviceBytesInUse;
        var computed = new MemoryBreakdown(
            Parameters: Bytes(network.Parameters.Length),
            Gradients: Bytes((long)network.Gradients.Length + network.AccumulatedGradients.Length),
            OptimizerState: Bytes((long)OptimizerStep.StateSlots(workload.Optimizer) * network.TrainableCount),
            ActivationsAndDeltas: Bytes(Enumerable.Range(0, spec.Layers.Count)
                .Sum(l => (long)network.Activations(l).Length + network.Deltas(l).Length + network.PreActivations(l).Length)),
            Batch: Bytes(batches.BatchFloats),
            Dataset: Bytes((long)features.Length + targets.Length + batches.Count),
            Scratch: backend is Kernels.Simd.SimdBackend simd ? simd.ScratchBytes : 0);
        var memory = new WorkloadMemory(computed, ComputedIsResident: device is null, baseline, peak, peakUnavailable);
        return new WorkloadResult(workload, backend.Name, median, rates, times.Calls,
            median * spec.TrainingFlopsPerExample() / 1e9, memory, deviceBytes, launches, times.AllocatedBytesPerCall,
            times.Load, times.Latencies);
    }

    /// <summary>The middle value (mean of the two middle ones for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] sorted = [.. values.Order()];
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static TrainingNetwork Network(IBackend backend, Workload workload)
    {
        Model.Model model = new Initializer(InitializerKind.Auto).Create(workload.Spec(), new SeededRandom(1));
        return new TrainingNetwork(backend, model, workload.Loss, workload.OptimizerSettings(), workload.MicroBatch,
            accumulates: workload.Accumulate > 1);
    }

    // 4-byte floats and ints
    private static long Bytes(long elements) => 4 * elements;

    // Features uniform in [0, 1) and one-hot targets of random classes, generated a few rows at a time straight into
    // the backend's buffers, so the dataset is never held twice.
    private static (FloatBuffer Features, FloatBuffer Targets) Synthetic(IBackend backend, Model.NetworkSpec spec, int count)
    {
        var random = new SeededRandom(3);
        FloatBuffer features = backend.Allocate(count * spec.Inputs), targets = backend.Allocate(count * spec.Outputs);
        float[] rows = new float[UploadRows * Math.Max(spec.Inputs, spec.Outputs)];
        for (int first = 0; first < count; first += UploadRows)
        {
            Span<float> part = rows.AsSpan(0, Math.Min(UploadRows, count - first) * spec.Inputs);
            for (int i = 0; i < part.Length; i++)
            {
                part[i] = (float)random.NextDouble();
            }
            backend.Upload(part, features.Slice(first * spec.Inputs, part.Length));
        }
        for (int first = 0; first < count; first += UploadRows)
        {
            int n = Math.Min(UploadRows, count - first);
            Span<float> part = rows.AsSpan(0, n * spec.Outputs);
            part.Clear();
            for (int r = 0; r < n; r++)
            {
                part[r * spec.Outputs + random.NextInt(spec.Outputs)] = 1;
            }
            backend.Upload(part, targets.Slice(first * spec.Outputs, part.Length));
        }
        return (features, targets);
    }
}
