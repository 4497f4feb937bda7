using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// Gradient accumulation: K micro-batches summed into one step equal one step on the whole batch, within the
/// tolerance rule, for every optimizer and loss; the trainer splits batches as <see cref="TrainingOptions.Accumulate"/>
/// defines; checkpoints keep K and stop only between steps.
/// </summary>
public class GradientAccumulationTests
{
    internal const int Rows = 10;

    private static readonly NetworkSpec Spec = new(4, [new LayerSpec(6, Activation.Tanh), new LayerSpec(3, Activation.Identity)]);

    internal static Dataset Blobs(int count)
    {
        var random = new SeededRandom(3);
        int[] labels = [.. Enumerable.Range(0, count).Select(i => i % 3)];
        float[] features = [.. Enumerable.Range(0, count * 4).Select(i => (float)(labels[i / 4] + random.NextDouble(-0.5, 0.5)))];
        return new Dataset("blobs", 4, features, 3, Dataset.OneHot(labels, 3), 3, labels);
    }

    internal static Model.Model Initial(LossKind loss)
    {
        Activation output = loss == LossKind.HalfSquaredError ? Activation.Sigmoid : Activation.Identity;
        var spec = new NetworkSpec(4, [new LayerSpec(6, Activation.Tanh), new LayerSpec(3, output)]);
        return new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(11));
    }

    internal static OptimizerSettings Settings(OptimizerKind kind) => new()
    {
        Kind = kind,
        // LARS: η·τ = 0.01 of ‖w‖ per step
        LearningRate = kind switch
        {
            OptimizerKind.Adam or OptimizerKind.Nadam or OptimizerKind.Lamb => 0.01,
            OptimizerKind.Lars => 10,
            _ => 0.1,
        },
        WeightDecay = 1e-3,
    };

    public static TheoryData<string, OptimizerKind, LossKind, int> Cases()
    {
        var data = new TheoryData<string, OptimizerKind, LossKind, int>();
        foreach (BackendDescriptor backend in Backends.Available)
        {
            foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>())
            {
                foreach (LossKind loss in Enum.GetValues<LossKind>())
                {
                    // K = 3 and 4 split the 10 rows unevenly: 4+4+2 and 3+3+3+1
                    foreach (int k in new[] { 1, 2, 3, 4 })
                    {
                        data.Add(backend.Name, kind, loss, k);
                    }
                }
            }
        }
        return data;
    }

    /// <summary>
    /// Three steps in lockstep: from the same parameters and optimizer state, one network takes the 10 rows as one
    /// batch, the other as K micro-batches; after each step the second is reset to the first's state, so errors never
    /// compound. K = 1 is bit for bit (0 + 1·g is g). For K &gt; 1 the bound, from <see cref="Tolerance"/>: both
    /// gradients are the same mean over rows of per-row terms g_r, computed in a different order and grouping (the
    /// micro-batch means, their weights rows/B, their sum) and with every per-row term going through the same chain of
    /// reductions, at most Σ_l (inputs_l + units_l) long over the forward and backward passes. A reduction's rounding
    /// is relative to the magnitudes of its terms, so the magnitudes are carried down without cancellation:
    /// D_L = |dZ_L|, D_l = Σ_j D_{l+1,j}·|W_{l+1}[i, j]| (the activations' derivatives are at most 1), and the terms
    /// of dW_l[i, j] have magnitude S = Σ_r |X_l[r, i]|·D_l[r, j] / B (of db_l[j], Σ_r D_l[r, j] / B). So
    /// |G_K − G_1| ≤ Bound(B + Σ_l (inputs_l + units_l), S). The step then maps each interval g ± δ through the optimizer rule; the candidate
    /// parameter must lie between the rule's values at its ends (evaluated by the reference backend), widened by the
    /// rounding of one elementwise op on the magnitudes involved. The rules are monotone in g on such a small interval
    /// except where their derivative vanishes (Adam's and Nadam's m/√v has one extremum), where the change is flat.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void AccumulatedStepsEqualOneBatchStep(string backendName, OptimizerKind kind, LossKind loss, int k)
    {
        Dataset data = Blobs(Rows);
        using IBackend backend = Backends.Create(backendName);
        using IBackend reference = Backends.Create("reference");
        using var device = new DeviceDataset(backend, data);
        int micro = (Rows + k - 1) / k;
        using var whole = new TrainingNetwork(backend, Initial(loss), loss, Settings(kind), Rows);
        using var split = new TrainingNetwork(backend, Initial(loss), loss, Settings(kind), micro, accumulates: true);
        var clock = new OptimizerClock(Settings(kind));
        NetworkSpec spec = whole.Spec;
        int p = spec.ParameterCount;
        int chain = Enumerable.Range(0, spec.Layers.Count).Sum(l => spec.InputsOf(l) + spec.Layers[l].Units);
        float[] g1 = new float[p], gK = new float[p];

        for (int step = 1; step <= 3; step++)
        {
            float[] theta = whole.ToModel().Parameters, state = whole.DownloadOptimizerState();
            whole.ComputeGradients(device.Features.All, device.Targets.All, Rows);
            backend.Download(whole.Gradients, g1);
            double[] magnitude = TermMagnitudes(whole, data.Features, theta);
            for (int done = 0; done < Rows; done += micro)
            {
                int take = Math.Min(micro, Rows - done);
                split.AccumulateGradients(device.Features.Slice(done * 4, take * 4), device.Targets.Slice(done * 3, take * 3),
                    take, Rows, first: done == 0);
            }
            backend.Download(split.AccumulatedGradients, gK);
            whole.Step();
            split.StepAccumulated();
            float[] after1 = whole.ToModel().Parameters, afterK = split.ToModel().Parameters;
            OptimizerStep rule = clock.Next();

            if (k == 1)
            {
                Assert.Equal(g1.Select(BitConverter.SingleToInt32Bits), gK.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(after1.Select(BitConverter.SingleToInt32Bits), afterK.Select(BitConverter.SingleToInt32Bits));
            }
            else
            {
                double[] delta = [.. magnitude.Select(m => Tolerance.Bound(Rows + chain, m))];
                for (int i = 0; i < p; i++)
                {
                    Assert.True(Math.Abs(gK[i] - (double)g1[i]) <= delta[i],
                        $"step {step}, parameter {i}: accumulated {gK[i]:G9}, one batch {g1[i]:G9}, bound {delta[i]:G3}");
                }
                CheckStep(reference, spec, rule, g1, gK, delta, theta, state, after1, afterK, $"step {step}");
            }
            split.LoadParameters(after1);
            split.LoadOptimizerState(whole.DownloadOptimizerState());
        }
        Assert.Equal(3, split.Optimizer.Steps);
    }

    // S of the bound above for every parameter, from the network's last full-batch backward pass.
    internal static double[] TermMagnitudes(TrainingNetwork network, float[] x, float[] theta)
    {
        NetworkSpec spec = network.Spec;
        double[] s = new double[spec.ParameterCount];
        double[]? below = null; // D_{l+1}
        for (int l = spec.Layers.Count - 1; l >= 0; l--)
        {
            int inputs = spec.InputsOf(l), units = spec.Layers[l].Units;
            double[] d = new double[Rows * units];
            if (l == spec.Layers.Count - 1)
            {
                float[] dz = new float[network.MaxBatch * units];
                network.Backend.Download(network.Deltas(l), dz);
                for (int e = 0; e < d.Length; e++)
                {
                    d[e] = Math.Abs(dz[e]);
                }
            }
            else
            {
                int above = spec.Layers[l + 1].Units, w = spec.WeightOffset(l + 1);
                for (int r = 0; r < Rows; r++)
                {
                    for (int i = 0; i < units; i++)
                    {
                        for (int j = 0; j < above; j++)
                        {
                            d[r * units + i] += below![r * above + j] * Math.Abs(theta[w + i * above + j]);
                        }
                    }
                }
            }
            float[] input = x;
            if (l > 0)
            {
                input = new float[network.MaxBatch * inputs];
                network.Backend.Download(network.Activations(l - 1), input);
            }
            for (int r = 0; r < Rows; r++)
            {
                for (int j = 0; j < units; j++)
                {
                    for (int i = 0; i < inputs; i++)
                    {
                        s[spec.WeightOffset(l) + i * units + j] += Math.Abs(input[r * inputs + i]) * d[r * units + j] / Rows;
                    }
                    if (spec.Layers[l].HasBias)
                    {
                        s[spec.BiasOffset(l) + j] += d[r * units + j] / Rows;
                    }
                }
            }
            below = d;
        }
        return s;
    }

    /// <summary>
    /// The step taken with gK (accumulated or all-reduced), whose distance from the one-batch gradient g1 is within
    /// delta, against the one-batch step after1. Flat rules: the interval argument above. LARS and LAMB: the trust
    /// ratio couples every parameter of a segment, so the rule is not monotone in each gradient alone and the interval
    /// argument does not hold; instead gK is checked within delta of g1, and the step with the rule applied to gK on
    /// the reference, within the bound of a reduction over the segment (the ratio's norms).
    /// </summary>
    internal static void CheckStep(IBackend reference, NetworkSpec spec, in OptimizerStep rule, float[] g1, float[] gK,
        double[] delta, float[] theta, float[] state, float[] after1, float[] afterK, string where)
    {
        int p = theta.Length;
        if (OptimizerStep.IsLayerwise(rule.Kind))
        {
            float[] expected = StepOnReference(reference, spec, rule, gK, theta, state);
            for (int i = 0; i < p; i++)
            {
                Assert.True(Math.Abs(gK[i] - (double)g1[i]) <= delta[i],
                    $"{where}, parameter {i}: gradient {gK[i]:G9}, one batch {g1[i]:G9}, bound {delta[i]:G3}");
                double scale = Math.Abs(theta[i]) + Math.Abs(expected[i] - (double)theta[i]) + Math.Abs(expected[i]);
                Assert.True(Tolerance.Within(afterK[i], expected[i], SegmentLength(spec, i), scale),
                    $"{where}, parameter {i}: step {afterK[i]:G9}, the rule on that gradient {expected[i]:G9}");
            }
            return;
        }
        float[] low = StepOnReference(reference, spec, rule, [.. g1.Select((g, i) => (float)(g - delta[i]))], theta, state);
        float[] high = StepOnReference(reference, spec, rule, [.. g1.Select((g, i) => (float)(g + delta[i]))], theta, state);
        for (int i = 0; i < p; i++)
        {
            double lo = Math.Min(Math.Min(low[i], high[i]), after1[i]);
            double hi = Math.Max(Math.Max(low[i], high[i]), after1[i]);
            double slack = Tolerance.Bound(1, Math.Abs(theta[i]) + Math.Abs(hi - theta[i]) + Math.Abs(lo - theta[i]));
            Assert.True(afterK[i] >= lo - slack && afterK[i] <= hi + slack,
                $"{where}, parameter {i}: step {afterK[i]:G9}, one-batch step {after1[i]:G9}, "
                + $"allowed [{lo - slack:G9}, {hi + slack:G9}]");
        }
    }

    // The length of the segment (a layer's weights or its biases) that holds parameter i.
    private static int SegmentLength(NetworkSpec spec, int i)
    {
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            int weights = spec.InputsOf(l) * spec.Layers[l].Units;
            if (i >= spec.WeightOffset(l) && i < spec.WeightOffset(l) + weights)
            {
                return weights;
            }
            if (spec.Layers[l].HasBias && i >= spec.BiasOffset(l) && i < spec.BiasOffset(l) + spec.Layers[l].Units)
            {
                return spec.Layers[l].Units;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(i));
    }

    internal static float[] StepOnReference(IBackend reference, NetworkSpec spec, in OptimizerStep rule,
        float[] gradient, float[] theta, float[] state)
    {
        using FloatBuffer g = reference.Allocate(gradient.Length), t = reference.Allocate(theta.Length);
        using FloatBuffer s = reference.Allocate(Math.Max(1, state.Length));
        reference.Upload(gradient, g.All);
        reference.Upload(theta, t.All);
        BufferView stateView = state.Length == 0 ? BufferView.Empty : s.Slice(0, state.Length);
        if (state.Length > 0)
        {
            reference.Upload(state, stateView);
        }
        if (OptimizerStep.IsLayerwise(rule.Kind))
        {
            LayerwiseStep.Apply(reference, spec, theta.Length, g.All, rule, t.All, stateView);
        }
        else
        {
            reference.OptimizerStep(g.All, rule, t.All, stateView);
        }
        float[] result = new float[theta.Length];
        reference.Download(t.All, result);
        return result;
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void TheTrainerTakesEachBatchAsConsecutiveMicroBatches(string backendName)
    {
        // 11 rows in batches of 4 with K = 3: micro-batches of 2, so 2+2, 2+2 and the short last batch 2+1
        Dataset data = Blobs(11);
        using IBackend backend = Backends.Create(backendName);
        using var device = new DeviceDataset(backend, data);
        OptimizerSettings adam = Settings(OptimizerKind.Adam);

        using var byHand = new TrainingNetwork(backend, Initial(LossKind.SoftmaxCrossEntropy), LossKind.SoftmaxCrossEntropy,
            adam, 2, accumulates: true);
        foreach ((int first, int rows) in new[] { (0, 4), (4, 4), (8, 3) })
        {
            for (int done = 0; done < rows; done += 2)
            {
                int take = Math.Min(2, rows - done);
                byHand.AccumulateGradients(device.Features.Slice((first + done) * 4, take * 4),
                    device.Targets.Slice((first + done) * 3, take * 3), take, rows, first: done == 0);
            }
            byHand.StepAccumulated();
        }

        var options = new TrainingOptions(1, 4, Shuffle: false, Seed: 1) { Accumulate = 3 };
        Assert.Equal(2, options.MicroBatchSize);
        using var network = new TrainingNetwork(backend, Initial(LossKind.SoftmaxCrossEntropy), LossKind.SoftmaxCrossEntropy,
            adam, options.MicroBatchSize, accumulates: true);
        using var trainer = new Trainer(network, data, null, options);
        EpochReport report = trainer.RunEpoch()!;

        Assert.Equal(3, network.Optimizer.Steps);
        Assert.Equal(byHand.ToModel().Parameters, network.ToModel().Parameters);
        Assert.Equal(byHand.TakeMetrics().LossSum / 11, report.TrainLoss, 6);
    }

    [Fact]
    public void ANetworkTooSmallForTheBatchNeedsAnAccumulationBuffer()
    {
        using IBackend backend = Backends.Create("reference");
        using var network = new TrainingNetwork(backend, Initial(LossKind.SoftmaxCrossEntropy), LossKind.SoftmaxCrossEntropy,
            Settings(OptimizerKind.Sgd), 2);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(network, Blobs(8), null,
            new TrainingOptions(1, 4, Shuffle: false, Seed: 1) { Accumulate = 2 }));
        Assert.Equal("--accumulate 2 needs a network built to accumulate gradients", e.Message);
        Assert.Throws<ArgumentException>(() => new TrainingOptions(1, 4, false, 1) { Accumulate = 5 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingOptions(1, 4, false, 1) { Accumulate = 0 }.Validate());
    }

    /// <summary>
    /// Positions count optimizer steps and the trainer stops only between two batches, so a checkpoint is always at a
    /// step boundary: there is no mid-cycle state to save. Stopping after a step and resuming from the checkpoint file
    /// (which records K) continues bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void StoppingBetweenAccumulatedStepsAndResumingMatchesAnUninterruptedRun(string backendName)
    {
        using var dir = new TempDirectory();
        Dataset data = Blobs(23);
        var options = new TrainingOptions(2, 8, Shuffle: true, Seed: 21)
        {
            Accumulate = 3,
            LinearScalingBase = 4,
            Schedule = new LearningRateSchedule(ScheduleKind.Cosine, WarmupSteps: 3),
        };
        Model.Model initial = Initial(LossKind.SoftmaxCrossEntropy);
        OptimizerSettings adam = Settings(OptimizerKind.Adam);
        TrainingNetwork Network(IBackend backend) => new(backend, initial, LossKind.SoftmaxCrossEntropy, adam,
            options.MicroBatchSize, accumulates: true, rates: options.LearningRates(data.Count));

        float[] straight;
        using (IBackend backend = Backends.Create(backendName))
        using (TrainingNetwork network = Network(backend))
        using (var trainer = new Trainer(network, data, null, options))
        {
            trainer.Run();
            straight = network.ToModel().Parameters;
        }

        string path = dir.File("mid.ckpt");
        using (IBackend backend = Backends.Create(backendName))
        using (TrainingNetwork network = Network(backend))
        using (var trainer = new Trainer(network, data, null, options))
        {
            using var cancel = new CancellationTokenSource();
            int batches = 0;
            Assert.Null(trainer.RunEpoch(cancel.Token, _ =>
            {
                if (++batches == 2)
                {
                    cancel.Cancel();
                }
            }));
            Assert.Equal(2, trainer.Position.Batch);
            Assert.Equal(2, network.Optimizer.Steps);
            CheckpointFile.Write(Checkpoint.Capture(network, trainer, options), path);
        }
        Checkpoint saved = CheckpointFile.Read(path);
        Assert.Equal(3, saved.Training.Accumulate);
        Assert.Equal(4, saved.Training.LinearScalingBase);
        using (IBackend backend = Backends.Create(backendName))
        using (TrainingNetwork network = saved.CreateNetwork(backend, data.Count))
        using (var trainer = new Trainer(network, data, null, saved.Training))
        {
            Assert.Equal(3, network.MaxBatch);
            Assert.True(network.Accumulates);
            saved.Restore(network, trainer);
            trainer.Run();
            Assert.Equal(straight, network.ToModel().Parameters);
        }
    }

    [Fact]
    public void LinearScalingMultipliesTheRateBeforeTheWarmUp()
    {
        var options = new TrainingOptions(1, 64, false, 1)
        {
            LinearScalingBase = TrainingOptions.ParseLearningRateScaling("linear:256"),
            Schedule = new LearningRateSchedule(WarmupSteps: 4),
        };
        Assert.Equal(0.25, options.LearningRateScale);
        Assert.Equal("linear:256", options.LearningRateScaling);
        var clock = new OptimizerClock(new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.1 },
            options.LearningRates(trainCount: 640));
        double[] rates = [.. Enumerable.Range(0, 5).Select(_ => clock.Next().LearningRate)];
        Assert.Equal([0.1 * 0.25 * 1 / 4, 0.1 * 0.25 * 2 / 4, 0.1 * 0.25 * 3 / 4, 0.1 * 0.25, 0.1 * 0.25], rates);
        Assert.Null(TrainingOptions.ParseLearningRateScaling("none"));
        Assert.Equal(1, new TrainingOptions(1, 64, false, 1).LearningRateScale);
        var e = Assert.Throws<FormatException>(() => TrainingOptions.ParseLearningRateScaling("linear"));
        Assert.Contains("base batch", e.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TrainingOptions.ParseLearningRateScaling("linear:0"));
    }

    [Fact]
    public void TheMemoryEstimateSizesActivationsByTheMicroBatch()
    {
        using IBackend backend = Backends.Create("reference");
        TrainingMemory whole = TrainingMemory.ForTraining(backend, Spec, OptimizerKind.Adam, true, 1024, 60_000, 0);
        TrainingMemory split = TrainingMemory.ForTraining(backend, Spec, OptimizerKind.Adam, true, 1024, 60_000, 0, accumulate: 4);
        Assert.Equal(whole.ActivationsAndDeltas / 4, split.ActivationsAndDeltas);
        Assert.Equal(2 * (6 + 3) * 256 * sizeof(float), split.ActivationsAndDeltas);
        const int metrics = TrainingNetwork.MetricFloats * sizeof(float);
        Assert.Equal((whole.Batch - metrics) / 4, split.Batch - metrics);
        Assert.Equal(2 * whole.Gradients, split.Gradients); // the sum beside the micro-batch gradient
        Assert.Equal(whole.OptimizerState, split.OptimizerState);
        Assert.Equal(whole, TrainingMemory.ForTraining(backend, Spec, OptimizerKind.Adam, true, 1024, 60_000, 0, accumulate: 1));
    }
}
