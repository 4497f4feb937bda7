using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Training;
using Xunit;
using Accumulation = FastNet.Tests.Training.GradientAccumulationTests;

namespace FastNet.Tests.Distributed;

/// <summary>
/// A data-parallel step allocates nothing on the trainer's thread, as a single-process one does
/// (<see cref="Training.AllocationTests"/>): the rank's slice, the loss weighted over the global batch, the flat
/// all-reduce in place or through the host, the per-layer all-reduces and their stop flag. The communicator is rank 0's
/// identical twin (<see cref="TwinCommunicator"/>), so the collectives themselves allocate nothing here; what the MPI
/// communicator allocates per call is its own matter, and <c>fastnet bench --data-parallel</c> reports it under
/// <c>mpirun</c>.
/// </summary>
public class DataParallelAllocationTests
{
    public static TheoryData<string, GradientAllReduce, int> Cases()
    {
        var data = new TheoryData<string, GradientAllReduce, int>();
        foreach (BackendDescriptor descriptor in Backends.Available)
        {
            foreach (GradientAllReduce allReduce in new[] { GradientAllReduce.Flat, GradientAllReduce.Layers })
            {
                foreach (int accumulate in new[] { 1, 4 }) // one pass a rank, or its 4 rows as 2 micro-batches of 2
                {
                    data.Add(descriptor.Name, allReduce, accumulate);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DataParallelStepsAllocateNothing(string backendName, GradientAllReduce allReduce, int accumulate)
    {
        const int Batch = 8, Rows = 8 * Batch;
        Dataset data = Accumulation.Blobs(Rows);
        var options = new TrainingOptions(2, Batch, Shuffle: true, Seed: 7) { Accumulate = accumulate };
        var ranks = new TwinCommunicator();
        using IBackend backend = Backends.Create(backendName);
        Model.Model initial = new Initializer(InitializerKind.Xavier).Create(LayerBucketsTests.Spec, new SeededRandom(13));
        using var network = new TrainingNetwork(backend, initial, LossKind.SoftmaxCrossEntropy,
            Accumulation.Settings(OptimizerKind.Adam), options.MicroBatchSizeOn(ranks.Size),
            accumulates: options.AccumulatesOn(ranks.Size));
        using var trainer = new Trainer(network, data, null, options, communicator: ranks, allReduce: allReduce);
        // the thread's allocation count after each batch, read by a callback made once
        long[] after = new long[trainer.BatchesPerEpoch];
        int batches = 0;
        Action<int> mark = _ => after[batches++] = GC.GetAllocatedBytesForCurrentThread();

        Assert.NotNull(trainer.RunEpoch()); // the first epoch makes what is made once
        // the cleanest of up to three epochs: on a loaded machine the runtime can bill its own one-off work (a method's
        // move to optimized code) to this thread, as AllocationTests found (7,408 bytes in one step of one CI run),
        // while a step that allocates dirties every epoch
        long[] perStep = [];
        for (int epoch = 0; epoch < 3 && (epoch == 0 || perStep.Any(bytes => bytes != 0)); epoch++)
        {
            batches = 0;
            Assert.NotNull(trainer.RunEpoch(onBatch: mark));
            Assert.Equal(after.Length, batches);
            perStep = [.. after.Skip(1).Select((bytes, i) => bytes - after[i])];
        }
        Assert.All(perStep, bytes => Assert.Equal(0, bytes));
        Assert.All(network.ToModel().Parameters, p => Assert.True(float.IsFinite(p)));
    }
}
