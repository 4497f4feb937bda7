using FastNet.Benchmarking;
using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Kernels.Gpu;
using FastNet.Model;
using FastNet.Tests.Training;
using FastNet.Training;
using Xunit;
using Accumulation = FastNet.Tests.Training.GradientAccumulationTests;

namespace FastNet.Tests.Distributed;

/// <summary>
/// Data parallelism with N ranks as threads (<see cref="InProcessCommunicator"/>): the trainer's N-rank step equals
/// one process's step at the same global batch within the tolerance rule, for every optimizer and loss; the ranks stay
/// bit-identical; disagreeing ranks are refused. The CPU backends run here, each rank on its own backend instance; the
/// real MPI communicator is exercised by tests/mpi/run-mpirun-test.sh.
/// </summary>
public class DataParallelTests
{
    private const int Rows = Accumulation.Rows;

    public static TheoryData<string, OptimizerKind, LossKind, int, GradientAllReduce> Cases()
    {
        var data = new TheoryData<string, OptimizerKind, LossKind, int, GradientAllReduce>();
        foreach (string backend in new[] { "reference", "simd" })
        {
            foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>())
            {
                foreach (LossKind loss in Enum.GetValues<LossKind>())
                {
                    // 10 rows over 2 ranks: 5 + 5; over 3: 4 + 4 + 2
                    foreach (int ranks in new[] { 2, 3 })
                    {
                        foreach (GradientAllReduce allReduce in Enum.GetValues<GradientAllReduce>())
                        {
                            data.Add(backend, kind, loss, ranks, allReduce);
                        }
                    }
                }
            }
        }
        return data;
    }

    /// <summary>
    /// Three steps in lockstep, as in <see cref="GradientAccumulationTests.AccumulatedStepsEqualOneBatchStep"/>: each
    /// rank's trainer takes one step on its slice of the 10-row batch (one epoch of one batch, no shuffle); every rank
    /// also computes, on a network of its own, the one-process step on all 10 rows from the same state, checks its
    /// trainer's parameters against it and then resets its trainer's network to that state, so errors never compound.
    /// The bound is the accumulation test's, for the same reason: the all-reduced gradient is the same mean over rows
    /// of per-row terms, grouped into slices weighted rows/B and summed over the ranks, where accumulation groups them
    /// into micro-batches; so |G_N − G_1| ≤ Bound(B + Σ_l (inputs_l + units_l), S), mapped through the optimizer rule
    /// on the reference backend and widened by one elementwise rounding. Every rank must end every step with the same
    /// bits. The gradient travels in one all-reduce or in one per layer.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void RanksStepLikeOneProcessAtTheGlobalBatch(string backendName, OptimizerKind kind, LossKind loss, int ranks,
        GradientAllReduce allReduce)
    {
        float[][][] after = InProcessCommunicator.Run(ranks, communicator => Lockstep(communicator, backendName, kind, loss, allReduce));
        for (int rank = 1; rank < ranks; rank++)
        {
            for (int step = 0; step < after[0].Length; step++)
            {
                Assert.Equal(after[0][step].Select(BitConverter.SingleToInt32Bits), after[rank][step].Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    /// <summary>
    /// The lockstep comparison above with the MPI communicator, run by tests/mpi/run-mpirun-test.sh as
    /// <c>mpirun -np 2 dotnet test … --filter</c> this test, under Open MPI's mpirun and MPICH's (the MPI the script
    /// expects in <c>FASTNET_MPI_EXPECTED</c> must be the one loaded): every backend case of <see cref="Cases"/>, each rank
    /// checking its steps against one process, then the ranks' results compared by checksum. The per-layer all-reduces
    /// (MPI_Iallreduce) must give the flat all-reduce's steps bit for bit: with two ranks either sums a + b. A failure
    /// on one rank ends the job (MPI_Abort) after printing why, so the other rank does not wait for it.
    /// </summary>
    [MpirunFact(UnderMpirun = true)]
    public void MpiRanksStepLikeOneProcessAtTheGlobalBatch()
    {
        using var mpi = new MpiCommunicator();
        try
        {
            if (Environment.GetEnvironmentVariable("FASTNET_MPI_EXPECTED") is { Length: > 0 } expected)
            {
                Assert.Equal(expected, mpi.Implementation);
            }
            foreach (string backend in new[] { "reference", "simd" })
            {
                foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>())
                {
                    foreach (LossKind loss in Enum.GetValues<LossKind>())
                    {
                        float[][] steps = Lockstep(mpi, backend, kind, loss);
                        Communicators.RequireAgreement(mpi, [.. steps.SelectMany(s => s)], $"{backend}, {kind}, {loss}: the steps");
                        float[][] layers = Lockstep(mpi, backend, kind, loss, GradientAllReduce.Layers);
                        for (int step = 0; step < steps.Length; step++)
                        {
                            Assert.Equal(steps[step].Select(BitConverter.SingleToInt32Bits), layers[step].Select(BitConverter.SingleToInt32Bits));
                        }
                    }
                }
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"rank {mpi.Rank}: {e}");
            mpi.Abort(1);
            throw;
        }
    }

    /// <summary>
    /// The lockstep comparison with the gpu backend on ILGPU's CPU accelerator, each rank on a backend of its own: the
    /// gradient is staged through the host for the all-reduce (whole, or layer by layer) and uploaded again, and the
    /// ranks still step like one process at the global batch and stay bit-identical. One case per way of staging: the
    /// optimizers, losses and rank counts are covered by the CPU cases above and the kernels' GPU suites.
    /// </summary>
    [Theory]
    [InlineData(OptimizerKind.Sgd, LossKind.SoftmaxCrossEntropy, 2, GradientAllReduce.Flat)]
    [InlineData(OptimizerKind.Adam, LossKind.MeanSquaredError, 3, GradientAllReduce.Layers)]
    public void GpuRanksStageTheirGradientsThroughTheHostAndStepLikeOneProcess(OptimizerKind kind, LossKind loss, int ranks,
        GradientAllReduce allReduce)
    {
        float[][][] after = InProcessCommunicator.Run(ranks, communicator =>
            Lockstep(communicator, () => new GpuBackend(GpuBackendOptions.CpuAccelerator), kind, loss, allReduce,
                steps: 2));
        for (int rank = 1; rank < ranks; rank++)
        {
            for (int step = 0; step < after[0].Length; step++)
            {
                Assert.Equal(after[0][step].Select(BitConverter.SingleToInt32Bits), after[rank][step].Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(3, 1, 0)]
    [InlineData(0, 2, 0)]
    [InlineData(1, 2, 1)]
    [InlineData(2, 2, 0)]
    [InlineData(5, 4, 1)]
    public void GpuRanksTakeTheDevicesOfTheirHostInTurn(int localRank, int devices, int expected) =>
        Assert.Equal(expected, GpuBackendOptions.DeviceOfLocalRank(localRank, devices));

    [Fact]
    public void TheLocalRankIsReadFromOpenMpisOrMpichsEnvironment()
    {
        Assert.Equal(3, GpuBackendOptions.LocalRankOf(name => name == "OMPI_COMM_WORLD_LOCAL_RANK" ? "3" : null));
        Assert.Equal(1, GpuBackendOptions.LocalRankOf(name => name == "MPI_LOCALRANKID" ? "1" : null));
        Assert.Null(GpuBackendOptions.LocalRankOf(_ => null));
        Assert.Null(GpuBackendOptions.LocalRankOf(name => name == "OMPI_COMM_WORLD_LOCAL_RANK" ? "-1" : null));
    }

    // One rank's part of the lockstep comparison; returns its parameters and optimizer state after each step.
    private static float[][] Lockstep(ICommunicator communicator, string backendName, OptimizerKind kind, LossKind loss,
        GradientAllReduce allReduce = GradientAllReduce.Flat) =>
        Lockstep(communicator, () => Backends.Create(backendName), kind, loss, allReduce);

    // steps: the second starts from parameters and optimizer state the all-reduced first step wrote
    private static float[][] Lockstep(ICommunicator communicator, Func<IBackend> create, OptimizerKind kind, LossKind loss,
        GradientAllReduce allReduce = GradientAllReduce.Flat, int steps = 3)
    {
        Dataset data = Accumulation.Blobs(Rows);
        var options = new TrainingOptions(steps, Rows, Shuffle: false, Seed: 5);
        using IBackend backend = create();
        using IBackend reference = Backends.Create("reference");
        using var device = new DeviceDataset(backend, data);
        using var whole = new TrainingNetwork(backend, Accumulation.Initial(loss), loss, Accumulation.Settings(kind), Rows);
        // this rank's buffers hold its slice, ⌈10/N⌉ rows, not the global batch
        using var mine = new TrainingNetwork(backend, Accumulation.Initial(loss), loss, Accumulation.Settings(kind),
            options.MicroBatchSizeOn(communicator.Size), accumulates: true);
        using var trainer = new Trainer(mine, data, null, options, communicator: communicator, allReduce: allReduce);
        var clock = new OptimizerClock(Accumulation.Settings(kind));
        NetworkSpec spec = whole.Spec;
        int p = spec.ParameterCount;
        int chain = Enumerable.Range(0, spec.Layers.Count).Sum(l => spec.InputsOf(l) + spec.Layers[l].Units);
        float[] g1 = new float[p], gN = new float[p];
        var results = new float[steps][];
        for (int step = 1; step <= steps; step++)
        {
            float[] theta = whole.ToModel().Parameters, state = whole.DownloadOptimizerState();
            whole.ComputeGradients(device.Features.All, device.Targets.All, Rows);
            backend.Download(whole.Gradients, g1);
            double[] magnitude = Accumulation.TermMagnitudes(whole, data.Features, theta);
            whole.Step();
            Assert.NotNull(trainer.RunEpoch());
            float[] after1 = whole.ToModel().Parameters, afterN = mine.ToModel().Parameters;
            OptimizerStep rule = clock.Next();

            double[] delta = [.. magnitude.Select(m => Tolerance.Bound(Rows + chain, m))];
            backend.Download(trainer.StepGradients, gN);
            Accumulation.CheckStep(reference, spec, rule, g1, gN, delta, theta, state, after1, afterN,
                $"rank {communicator.Rank} of {communicator.Size}, step {step}");
            results[step - 1] = [.. afterN, .. mine.DownloadOptimizerState()];
            mine.LoadParameters(after1);
            mine.LoadOptimizerState(whole.DownloadOptimizerState());
        }
        Assert.Equal(steps, mine.Optimizer.Steps);
        return results;
    }

    /// <summary>
    /// Where each rank's slice of a batch is no larger than a micro-batch (K ≤ N), --accumulate K changes nothing: the
    /// ranks take their slices in one pass, on networks built without accumulation as the tool builds them, and train
    /// the same bits as without it.
    /// </summary>
    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(3, 3)]
    public void AnAccumulationWhoseSlicesFitOnePassTrainsAsWithout(int ranks, int accumulate)
    {
        Dataset data = Accumulation.Blobs(11);
        float[] Train(int k) => InProcessCommunicator.Run(ranks, communicator =>
        {
            var options = new TrainingOptions(2, 6, Shuffle: true, Seed: 9) { Accumulate = k };
            Assert.False(options.AccumulatesOn(ranks));
            using IBackend backend = Backends.Create("simd");
            using var network = new TrainingNetwork(backend, Accumulation.Initial(LossKind.SoftmaxCrossEntropy),
                LossKind.SoftmaxCrossEntropy, Accumulation.Settings(OptimizerKind.Adam), options.MicroBatchSizeOn(ranks),
                accumulates: options.AccumulatesOn(ranks));
            using var trainer = new Trainer(network, data, null, options, communicator: communicator);
            Assert.True(trainer.Run(_ => { }));
            return network.ToModel().Parameters;
        })[0];

        Assert.Equal(Train(1).Select(BitConverter.SingleToInt32Bits), Train(accumulate).Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ShuffledEpochsWithAccumulationKeepTheRanksBitIdentical(int ranks)
    {
        // 11 rows in batches of 4 with K = 2, shuffled: slices of 2 + 2 (3 ranks: 2 + 2 + 0), the last batch 2 + 1
        Dataset data = Accumulation.Blobs(11);
        var options = new TrainingOptions(3, 4, Shuffle: true, Seed: 9) { Accumulate = 2 };
        (float[] Parameters, double[] Losses)[] runs = InProcessCommunicator.Run(ranks, communicator =>
        {
            using IBackend backend = Backends.Create("simd");
            using var network = new TrainingNetwork(backend, Accumulation.Initial(LossKind.SoftmaxCrossEntropy),
                LossKind.SoftmaxCrossEntropy, Accumulation.Settings(OptimizerKind.Adam), options.MicroBatchSizeOn(ranks), accumulates: true);
            using var trainer = new Trainer(network, data, data, options, new DivergenceGuard(), communicator);
            var losses = new List<double>();
            Assert.True(trainer.Run(report => losses.AddRange([report.TrainLoss, report.TrainAccuracy, report.EvalLoss])));
            return (network.ToModel().Parameters, losses.ToArray());
        });
        foreach ((float[] parameters, double[] losses) in runs.Skip(1))
        {
            Assert.Equal(runs[0].Parameters.Select(BitConverter.SingleToInt32Bits), parameters.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(runs[0].Losses, losses);
        }
        Assert.All(runs[0].Losses, l => Assert.True(double.IsFinite(l)));
    }

    [Theory]
    [InlineData(GradientAllReduce.Flat)]
    [InlineData(GradientAllReduce.Layers)]
    public void AStopSeenByOneRankStopsEveryRankAtTheSameBatch(GradientAllReduce allReduce)
    {
        // rank 1 is asked to stop before training: its request travels in the first batch's all-reduce (per layer, in
        // the input layer's), so both ranks stop after that batch, with the same parameters
        Dataset data = Accumulation.Blobs(Rows);
        var options = new TrainingOptions(2, 4, Shuffle: true, Seed: 2);
        (int Batch, float[] Parameters)[] stops = InProcessCommunicator.Run(2, communicator =>
        {
            using IBackend backend = Backends.Create("reference");
            using var network = new TrainingNetwork(backend, Accumulation.Initial(LossKind.MeanSquaredError),
                LossKind.MeanSquaredError, Accumulation.Settings(OptimizerKind.Momentum), 4, accumulates: true);
            using var trainer = new Trainer(network, data, null, options, communicator: communicator, allReduce: allReduce);
            using var stop = new CancellationTokenSource();
            if (communicator.Rank == 1)
            {
                stop.Cancel();
            }
            Assert.Null(trainer.RunEpoch(stop.Token));
            return (trainer.Position.Batch, network.ToModel().Parameters);
        });
        Assert.All(stops, s => Assert.Equal(1, s.Batch));
        Assert.Equal(stops[0].Parameters, stops[1].Parameters);
    }

    /// <summary>Sharded evaluation: 3 ranks score 4 + 4 + 2 of 10 rows and all-reduce the sums. Each row's loss is
    /// computed as one process computes it, only the sum's order differs: |Δ mean| ≤ Bound(10 + 3, mean) (the losses
    /// are positive, so their absolute sum is the sum); the correct count, a sum of small integers, is exact.</summary>
    [Theory]
    [InlineData(LossKind.SoftmaxCrossEntropy)]
    [InlineData(LossKind.MeanSquaredError)]
    [InlineData(LossKind.HalfSquaredError)]
    public void RanksEvaluateTheirSlicesAndAgreeWithOneProcess(LossKind loss)
    {
        Dataset data = Accumulation.Blobs(Rows);
        (double Loss, double Accuracy) Score(ICommunicator? ranks)
        {
            using IBackend backend = Backends.Create("simd");
            using var device = new DeviceDataset(backend, data);
            using var network = new TrainingNetwork(backend, Accumulation.Initial(loss), loss, Accumulation.Settings(OptimizerKind.Sgd), 3);
            return Evaluation.Run(network, device, ranks);
        }
        (double loss1, double accuracy1) = Score(null);
        (double Loss, double Accuracy)[] sharded = InProcessCommunicator.Run(3, Score);
        Assert.All(sharded, s => Assert.Equal(sharded[0], s));
        Assert.Equal(accuracy1, sharded[0].Accuracy);
        Assert.True(Tolerance.Within(sharded[0].Loss, loss1, Rows + 3, loss1), $"{sharded[0].Loss:G9} vs {loss1:G9}");
    }

    /// <summary>The final score of a model: 1300 rows are batches of 512, 512, 276, over 2 ranks 2 + 1 batches, over 3
    /// one each; 700 rows over 3 ranks leave the third empty. The ranks hand the running sums on in rank order, so the
    /// figures are one process's bit for bit.</summary>
    [Theory]
    [InlineData("simd", 1300, 2)]
    [InlineData("simd", 1300, 3)]
    [InlineData("reference", 700, 3)]
    public void RanksScoreAModelInShardsOfWholeBatchesExactlyAsOneProcess(string backendName, int rows, int ranks)
    {
        Dataset data = Accumulation.Blobs(rows);
        (double Loss, double Accuracy) Score(ICommunicator? communicator)
        {
            using IBackend backend = Backends.Create(backendName);
            using var device = new DeviceDataset(backend, data);
            return Evaluation.OfModel(backend, Accumulation.Initial(LossKind.SoftmaxCrossEntropy), LossKind.SoftmaxCrossEntropy,
                device, communicator);
        }
        (double Loss, double Accuracy) one = Score(null);
        Assert.All(InProcessCommunicator.Run(ranks, Score), s =>
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(one.Loss), BitConverter.DoubleToInt64Bits(s.Loss));
            Assert.Equal(one.Accuracy, s.Accuracy);
        });
    }

    /// <summary>
    /// A run stopped inside an epoch on 2 ranks keeps, on rank 0, the running sums of both ranks (the checkpoint's
    /// position), and the others keep none, so the epoch resumed on 3 ranks reports the epoch's loss of one process
    /// within the tolerance rule: a per-row loss summed in another order, over 33 rows and a few partial sums.
    /// </summary>
    [Fact]
    public void AnEpochStoppedOnTwoRanksAndResumedOnThreeReportsOneProcesssLoss()
    {
        Dataset data = Accumulation.Blobs(33);
        var options = new TrainingOptions(1, 8, Shuffle: true, Seed: 4);
        const LossKind loss = LossKind.SoftmaxCrossEntropy;
        (TrainingPosition Position, float[] Parameters, float[] State) Stopped(ICommunicator communicator)
        {
            using IBackend backend = Backends.Create("reference");
            using var network = new TrainingNetwork(backend, Accumulation.Initial(loss), loss, Accumulation.Settings(OptimizerKind.Adam),
                options.MicroBatchSizeOn(communicator.Size), accumulates: true);
            using var trainer = new Trainer(network, data, null, options, communicator: communicator);
            using var stop = new CancellationTokenSource();
            stop.Cancel(); // agreed in the first step's all-reduce: both ranks stop after batch 1
            Assert.Null(trainer.RunEpoch(stop.Token));
            return (trainer.Position, network.ToModel().Parameters, network.DownloadOptimizerState());
        }
        (TrainingPosition Position, float[] Parameters, float[] State)[] stopped = InProcessCommunicator.Run(2, Stopped);
        Assert.Equal((0f, 0f), (stopped[1].Position.LossSum, stopped[1].Position.Correct));
        (TrainingPosition at, float[] parameters, float[] state) = stopped[0];

        EpochReport Resumed(ICommunicator communicator)
        {
            using IBackend backend = Backends.Create("reference");
            using var network = new TrainingNetwork(backend, new Model.Model(Accumulation.Initial(loss).Spec, parameters), loss,
                Accumulation.Settings(OptimizerKind.Adam), options.MicroBatchSizeOn(communicator.Size), accumulates: true);
            network.LoadOptimizerState(state);
            using var trainer = new Trainer(network, data, null, options, communicator: communicator);
            trainer.Restore(at);
            network.Optimizer.Steps = 1;
            return trainer.RunEpoch()!;
        }
        EpochReport one = Resumed(SingleProcess.Instance);
        EpochReport[] three = InProcessCommunicator.Run(3, Resumed);
        Assert.All(three, r => Assert.Equal(three[0].TrainLoss, r.TrainLoss));
        Assert.Equal(one.TrainAccuracy, three[0].TrainAccuracy);
        Assert.True(Tolerance.Within(three[0].TrainLoss, one.TrainLoss, 33 + 8, one.TrainLoss), $"{three[0].TrainLoss:G9} vs {one.TrainLoss:G9}");
    }

    [Theory]
    [InlineData(GradientAllReduce.Flat)]
    [InlineData(GradientAllReduce.Layers)]
    public void TheDataParallelBenchTimesTheTrainersStepsAndTheirAllReduceOnEveryRank(GradientAllReduce allReduce)
    {
        var workload = new Workload("tiny", [4, 6, 3], Activation.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Sgd, 8);
        DataParallelResult[] results = InProcessCommunicator.Run(2, communicator =>
        {
            using IBackend backend = Backends.Create("reference");
            return DataParallelTimer.Run(backend, workload, communicator, 0.01, allReduce);
        });
        Assert.All(results, r =>
        {
            Assert.Equal((2, 1, allReduce), (r.Ranks, r.Threads, r.AllReduce));
            Assert.Equal(4L * (4 * 6 + 6 + 6 * 3 + 3 + 1), r.GradientBytes); // the gradient and the stop flag
            Assert.True(r.SamplesPerSecond > 0 && r.AllReduceSecondsPerStep > 0 && r.AllReduceSecondsPerStep < r.SecondsPerStep, r.ToString());
        });
    }

    [Fact]
    public void TheTrainerStartsFromRankZerosParameters()
    {
        Dataset data = Accumulation.Blobs(Rows);
        var options = new TrainingOptions(1, Rows, Shuffle: false, Seed: 1);
        float[][] initial = InProcessCommunicator.Run(2, communicator =>
        {
            using IBackend backend = Backends.Create("reference");
            Model.Model model = new Initializer(InitializerKind.Xavier).Create(Accumulation.Initial(LossKind.MeanSquaredError).Spec,
                new SeededRandom((ulong)(100 + communicator.Rank)));
            using var network = new TrainingNetwork(backend, model, LossKind.MeanSquaredError,
                Accumulation.Settings(OptimizerKind.Sgd), Rows, accumulates: true);
            using var trainer = new Trainer(network, data, null, options, communicator: communicator);
            return network.ToModel().Parameters;
        });
        Assert.Equal(initial[0], initial[1]);
    }

    [Fact]
    public void RanksThatDisagreeAreRefusedOnEveryRank()
    {
        string[] messages = InProcessCommunicator.Run(3, communicator =>
        {
            byte[] configuration = [1, 2, 3, (byte)(communicator.Rank == 2 ? 4 : 3)];
            var e = Assert.Throws<DistributedException>(() =>
                Communicators.RequireAgreement(communicator, configuration, "the configuration"));
            return e.Message;
        });
        Assert.All(messages, m => Assert.StartsWith("the configuration differs between the ranks: 1 of 3 ranks disagree with rank 0", m));
        Assert.EndsWith("(rank 2 is one)", messages[2]);
        InProcessCommunicator.Run(3, communicator =>
        {
            Communicators.RequireAgreement(communicator, new byte[] { 7, 7 }, "the configuration");
            return 0;
        });
    }

    [Theory]
    [InlineData("simd", OptimizerKind.Adam)]
    [InlineData("reference", OptimizerKind.Sgd)]
    public void RanksWhoseParametersDivergeStopAfterTheEpoch(string backendName, OptimizerKind kind)
    {
        // the per-epoch comparison hashes parameters and optimizer state where they lie: one changed parameter on one
        // rank (the last one, so the whole of them has to be compared) is an error on every rank, and agreeing ranks
        // train on
        Dataset data = Accumulation.Blobs(Rows);
        var options = new TrainingOptions(2, 4, Shuffle: true, Seed: 2);
        foreach (bool diverge in new[] { false, true })
        {
            string?[] messages = InProcessCommunicator.Run(3, communicator =>
            {
                using IBackend backend = Backends.Create(backendName);
                using var network = new TrainingNetwork(backend, Accumulation.Initial(LossKind.MeanSquaredError),
                    LossKind.MeanSquaredError, Accumulation.Settings(kind), options.MicroBatchSizeOn(3));
                using var trainer = new Trainer(network, data, null, options, communicator: communicator);
                if (diverge && communicator.Rank == 1)
                {
                    float[] parameters = network.ToModel().Parameters;
                    parameters[^1] += 0.25f;
                    network.LoadParameters(parameters);
                }
                try
                {
                    trainer.RunEpoch();
                    return null;
                }
                catch (DistributedException e)
                {
                    return e.Message;
                }
            });
            Assert.All(messages, m => Assert.Equal(diverge,
                m?.StartsWith("after epoch 1, the parameters and optimizer state differs between the ranks: 1 of 3", StringComparison.Ordinal) == true));
        }
    }

    [Fact]
    public void ABatchSmallerThanTheRanksIsRefused()
    {
        Dataset data = Accumulation.Blobs(Rows);
        var e = Assert.Throws<ArgumentException>(() => InProcessCommunicator.Run(3, communicator =>
        {
            using IBackend backend = Backends.Create("reference");
            using var network = new TrainingNetwork(backend, Accumulation.Initial(LossKind.MeanSquaredError),
                LossKind.MeanSquaredError, Accumulation.Settings(OptimizerKind.Sgd), 2, accumulates: true);
            using var trainer = new Trainer(network, data, null, new TrainingOptions(1, 2, false, 1), communicator: communicator);
            return 0;
        }));
        Assert.Contains("--batch 2 is smaller than the 3 ranks", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, 3, new[] { 0, 4, 4, 4, 8, 2 })]
    [InlineData(10, 2, new[] { 0, 5, 5, 5 })]
    [InlineData(2, 3, new[] { 0, 1, 1, 1, 2, 0 })]
    [InlineData(7, 1, new[] { 0, 7 })]
    public void BatchesSplitIntoConsecutiveSlicesInRankOrder(int rows, int ranks, int[] expected)
    {
        int[] slices = [.. Enumerable.Range(0, ranks).SelectMany(r =>
        {
            (int first, int count) = Communicators.Slice(rows, ranks, r);
            return new[] { first, count };
        })];
        Assert.Equal(expected, slices);
    }

    [Fact]
    public void AMissingMpiLibraryNamesThePackageToInstall()
    {
        var e = Assert.Throws<DistributedException>(() => new MpiCommunicator("libmpi-not-installed.so.40"));
        Assert.Equal("running under MPI, but no MPI library (libmpi-not-installed.so.40) could be loaded: install "
            + "openmpi-bin (Open MPI's runtime, libopenmpi3) or mpich (libmpich12), e.g. apt-get install openmpi-bin, "
            + "and start the ranks with that MPI's mpirun", e.Message);
    }

    [Fact]
    public void TheLauncherIsRecognizedByItsEnvironment()
    {
        Assert.Null(Communicators.LaunchedRanks(_ => null));
        Assert.Equal(4, Communicators.LaunchedRanks(n => n == "OMPI_COMM_WORLD_SIZE" ? "4" : null));
        Assert.Equal(2, Communicators.LaunchedRanks(n => n == "PMI_SIZE" ? "2" : null));
        Assert.Null(Communicators.LaunchedRanks(_ => "x"));
    }

    [Fact]
    public void TheInProcessSumIsTakenInRankOrderOnEveryRank()
    {
        // 1e8 + 1 − 1e8 depends on the order: (1e8 + 1) + (−1e8) = 0 in float32, while 1 + (1e8 − 1e8) = 1
        float[][] sums = InProcessCommunicator.Run(3, communicator =>
        {
            float[] v = [communicator.Rank switch { 0 => 1e8f, 1 => 1f, _ => -1e8f }];
            communicator.AllReduceSum(v);
            return v;
        });
        Assert.All(sums, s => Assert.Equal(0f, s[0]));
    }
}
