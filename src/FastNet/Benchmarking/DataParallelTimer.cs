using System.Diagnostics;
using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Training;

namespace FastNet.Benchmarking;

/// <summary>What one rank count measured on a workload, as rank 0 saw it.</summary>
/// <param name="Workload">What was timed; its batch is the global batch, split over the ranks.</param>
/// <param name="Backend">Where each rank computed.</param>
/// <param name="Ranks">Ranks that trained together.</param>
/// <param name="Threads">Threads per rank (the simd backend's pool; 1 for the others).</param>
/// <param name="SamplesPerSecond">Examples of the global batch per second, over the timed epochs.</param>
/// <param name="SecondsPerStep">Mean wall time of one step (one global batch).</param>
/// <param name="AllReduceSecondsPerStep">Mean time of one step's gradient all-reduce on rank 0 (0 on one rank); per
/// layer, the time in the communicator's calls, the part the backward pass did not hide
/// (<see cref="Trainer.AllReduceTime"/>).</param>
/// <param name="GradientBytes">What one step's all-reduce carries: the trainable gradient in float32 (and one more
/// float, the stop flag).</param>
/// <param name="AllReduce">How the gradient travelled; null on one rank, where it does not travel.</param>
/// <param name="AllocatedBytesPerStep">Managed bytes a step allocated on rank 0's training thread and its backend's
/// worker threads, between the steps
/// of an epoch (what an epoch does once, its order, parameter checksum and evaluation, is not a step's), as
/// <see cref="StepAllocations"/> counts them.</param>
/// <param name="Load">How busy rank 0's machine was during the timed epochs: other processes are those of no rank, so
/// the ranks that share the machine are not counted as load. Only rank 0, which reports it, sees the other ranks' time;
/// on the other ranks it is their own view (every other process counted).</param>
public sealed record DataParallelResult(Workload Workload, string Backend, int Ranks, int Threads, double SamplesPerSecond,
    double SecondsPerStep, double AllReduceSecondsPerStep, long GradientBytes, GradientAllReduce? AllReduce,
    double AllocatedBytesPerStep, MachineLoad Load);

/// <summary>
/// Times data-parallel training as <c>fastnet train</c> runs it under <c>mpirun -np N</c>: the trainer's epochs on
/// synthetic data (each rank its slice of every global batch, the gradient all-reduced flat or per layer, the
/// per-epoch parameter checksum), collective on every rank. One warm-up epoch, then as many epochs as rank 0 expects to fill the
/// given time (the count is broadcast, so the ranks run the same collectives).
/// </summary>
public static class DataParallelTimer
{
    /// <summary>Measures <paramref name="workload"/> on <paramref name="ranks"/> (collective), the gradient
    /// travelling as <paramref name="allReduce"/> says, with the machine's load read from <paramref name="load"/> (the
    /// machine's <c>/proc</c> by default) around the timed epochs; each rank runs at <paramref name="place"/> (this
    /// process by default).</summary>
    public static DataParallelResult Run(IBackend backend, Workload workload, ICommunicator ranks, double seconds,
        GradientAllReduce allReduce = GradientAllReduce.Flat, ILoadSampler? load = null, RankPlace? place = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(ranks);
        Model.NetworkSpec spec = workload.Spec();
        // 8 steps an epoch or more, so the epoch's parameter checksum weighs little
        int examples = Math.Max(workload.Batch * 8, 1024);
        var options = new TrainingOptions(int.MaxValue / examples, workload.Batch, Shuffle: false, Seed: 1)
        {
            Accumulate = workload.Accumulate,
        };
        Model.Model model = new Initializer(InitializerKind.Auto).Create(spec, new SeededRandom(1));
        using var network = new TrainingNetwork(backend, model, workload.Loss, workload.OptimizerSettings(),
            options.MicroBatchSizeOn(ranks.Size), accumulates: options.AccumulatesOn(ranks.Size));
        using var trainer = new Trainer(network, Synthetic(spec, examples), null, options, communicator: ranks, allReduce: allReduce);
        // the first epoch compiles the code and warms the caches (it took ~20x a warm epoch), so the epoch after it
        // sizes the measurement
        trainer.RunEpoch();
        var clock = Stopwatch.StartNew();
        trainer.RunEpoch();
        int[] epochs = [Math.Max(1, (int)Math.Ceiling(seconds / clock.Elapsed.TotalSeconds))];
        ranks.Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(epochs.AsSpan()), 0);
        TimeSpan allReduceBefore = trainer.AllReduceTime;
        load ??= ProcCounters.Machine;
        CpuCounters? loadStart = load.Read();
        var allocations = new StepAllocations(backend);
        Action<int> mark = _ => allocations.Mark();
        clock.Restart();
        for (int e = 0; e < epochs[0]; e++)
        {
            allocations.Pause();
            trainer.RunEpoch(onBatch: mark);
        }
        backend.Synchronize();
        double elapsed = clock.Elapsed.TotalSeconds;
        MachineLoad machine = LoadOnRootMachine(ranks, place ?? RankPlace.Current, loadStart, load.Read(), load.UnknownReason);
        long steps = (long)epochs[0] * trainer.BatchesPerEpoch;
        int threads = backend is Kernels.Simd.SimdBackend simd ? simd.Threads : 1;
        return new DataParallelResult(workload, backend.Name, ranks.Size, threads, (double)epochs[0] * examples / elapsed,
            elapsed / steps, (trainer.AllReduceTime - allReduceBefore).TotalSeconds / steps, 4L * (network.TrainableCount + 1),
            ranks.Size > 1 ? allReduce : null, allocations.BytesPerStep, machine);
    }

    // Collective. Rank 0's machine's busy time less the processor time of every rank on it: ranks in other processes
    // there add theirs (ranks in rank 0's own process are already in its counters). A rank there that cannot read its
    // counters makes the load unknown.
    private static MachineLoad LoadOnRootMachine(ICommunicator ranks, RankPlace place, CpuCounters? start, CpuCounters? end,
        string unknownReason)
    {
        if (ranks.Size == 1)
        {
            return MachineLoad.Between(start, end, unknownReason);
        }
        byte[] root = place.Encode();
        ranks.Broadcast(root, 0);
        bool sibling = place.SameMachine(root) && !place.SameProcess(root);
        double? own = start is CpuCounters s0 && end is CpuCounters s1 ? s1.OwnSeconds - s0.OwnSeconds : null;
        float[] siblings = [sibling && own is double o ? (float)o : 0, sibling && own is null ? 1 : 0];
        ranks.AllReduceSum(siblings);
        if (ranks.Rank != 0 || start is not CpuCounters a || end is not CpuCounters b)
        {
            return MachineLoad.Between(start, end, unknownReason);
        }
        if (siblings[1] > 0)
        {
            return new MachineLoad(a.LoadAverage, b.LoadAverage, null, 0,
                "a rank on rank 0's machine could not read its processor time");
        }
        return MachineLoad.Between(a, b with { OwnSeconds = b.OwnSeconds + siblings[0] }, unknownReason);
    }

    // Features uniform in [0, 1), one-hot targets of random classes.
    private static Dataset Synthetic(Model.NetworkSpec spec, int count)
    {
        var random = new SeededRandom(3);
        float[] features = new float[count * spec.Inputs];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = (float)random.NextDouble();
        }
        int[] labels = [.. Enumerable.Range(0, count).Select(_ => random.NextInt(spec.Outputs))];
        return new Dataset("synthetic", spec.Inputs, features, spec.Outputs, Dataset.OneHot(labels, spec.Outputs), spec.Outputs, labels);
    }
}
