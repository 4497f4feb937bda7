using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// <see cref="Trainer.Run(TrainingObserver?, CancellationToken)"/> is the one training loop, the one
/// <c>fastnet train</c> runs: it tells its observer of each epoch and batch in order, stops early when the observer
/// says so, and stops between two batches when cancelled, from where a new trainer continues bit for bit.
/// </summary>
public class TrainingLoopTests
{
    // 10 examples in batches of 4: batches of 4, 4 and 2 rows
    private static readonly Dataset Data = GradientAccumulationTests.Blobs(10);

    private static readonly TrainingOptions Options = new(3, 4, Shuffle: true, Seed: 5)
    {
        Schedule = new LearningRateSchedule(ScheduleKind.Cosine),
    };

    private static readonly OptimizerSettings Adam = new() { Kind = OptimizerKind.Adam, LearningRate = 0.01 };

    private static TrainingNetwork Network(IBackend backend) => new(backend,
        GradientAccumulationTests.Initial(LossKind.SoftmaxCrossEntropy), LossKind.SoftmaxCrossEntropy, Adam,
        Options.BatchSize, rates: Options.LearningRates(Data.Count));

    // what the observer saw, one line an event
    private static TrainingObserver Recorder(List<string> events, Func<EpochReport, bool>? stop = null,
        Action? afterBatch = null) => new()
        {
            EpochStarting = (epoch, examples) => events.Add($"epoch {epoch}: {examples} examples"),
            BatchTrained = rows =>
            {
                events.Add($"batch of {rows}");
                afterBatch?.Invoke();
            },
            EpochEnded = report =>
            {
                events.Add($"epoch {report.Epoch} ended");
                return stop?.Invoke(report) ?? false;
            },
        };

    [Fact]
    public void TheObserverSeesEveryEpochAndBatchInOrder()
    {
        using IBackend backend = Backends.Create("reference");
        using TrainingNetwork network = Network(backend);
        using var trainer = new Trainer(network, Data, null, Options);
        var events = new List<string>();
        Assert.True(trainer.Run(Recorder(events)));
        string[] EpochEvents(int e) => [$"epoch {e}: 10 examples", "batch of 4", "batch of 4", "batch of 2", $"epoch {e} ended"];
        Assert.Equal([.. EpochEvents(1), .. EpochEvents(2), .. EpochEvents(3)], events);
        Assert.Equal(3, trainer.Epoch);
        Assert.Equal(9, network.Optimizer.Steps);
    }

    [Fact]
    public void TheObserverCanEndTrainingAfterAnEpoch()
    {
        using IBackend backend = Backends.Create("reference");
        using TrainingNetwork network = Network(backend);
        using var trainer = new Trainer(network, Data, null, Options);
        var events = new List<string>();
        Assert.True(trainer.Run(Recorder(events, stop: report => report.Epoch == 2)));
        Assert.Equal("epoch 2 ended", events[^1]);
        Assert.Equal(2, trainer.Epoch);
        Assert.Equal(6, network.Optimizer.Steps);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void ACancelledRunStopsBetweenBatchesAndContinuesBitForBit(string backendName)
    {
        float[] straight;
        using (IBackend backend = Backends.Create(backendName))
        using (TrainingNetwork network = Network(backend))
        using (var trainer = new Trainer(network, Data, null, Options))
        {
            Assert.True(trainer.Run());
            straight = network.ToModel().Parameters;
        }

        Checkpoint stopped;
        var events = new List<string>();
        using (IBackend backend = Backends.Create(backendName))
        using (TrainingNetwork network = Network(backend))
        using (var trainer = new Trainer(network, Data, null, Options))
        using (var cancel = new CancellationTokenSource())
        {
            int batches = 0;
            // stop after the fifth batch: the second of epoch 2
            Assert.False(trainer.Run(Recorder(events, afterBatch: () =>
            {
                if (++batches == 5)
                {
                    cancel.Cancel();
                }
            }), cancel.Token));
            Assert.Equal((1, 2), (trainer.Epoch, trainer.Position.Batch));
            stopped = Checkpoint.Capture(network, trainer, Options);
        }
        Assert.Equal("batch of 4", events[^1]);

        events.Clear();
        using (IBackend backend = Backends.Create(backendName))
        using (TrainingNetwork network = stopped.CreateNetwork(backend, Data.Count))
        using (var trainer = new Trainer(network, Data, null, stopped.Training))
        {
            stopped.Restore(network, trainer);
            Assert.True(trainer.Run(Recorder(events)));
            Assert.Equal(straight, network.ToModel().Parameters);
        }
        Assert.Equal(["epoch 2: 2 examples", "batch of 2", "epoch 2 ended", "epoch 3: 10 examples"], events.Take(4));
    }
}
