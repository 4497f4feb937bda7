using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// Dropout in training: backpropagation through the step's mask against finite differences, evaluation untouched,
/// p = 0 the same run as no dropout, micro-batches drawing the whole batch's masks, and a resumed run bit for bit.
/// </summary>
public class DropoutTrainingTests
{
    private static readonly Dataset Data = GradientAccumulationTests.Blobs(23);

    public static TheoryData<Activation> HiddenActivations()
    {
        var data = new TheoryData<Activation>();
        foreach (Activation activation in Activation.OneOfEachKind)
        {
            data.Add(activation);
        }
        return data;
    }

    /// <summary>
    /// As <see cref="GradientCheckTests"/>, with both hidden layers dropping half their units: the float64 loss applies
    /// the same step's mask, so the gradient must be of the loss through that mask, with f' taken at the undropped A
    /// (or Z). The bound is that test's, with one more rounding per layer for the scaling product.
    /// </summary>
    [Theory]
    [MemberData(nameof(HiddenActivations))]
    public void BackpropagationGoesThroughTheStepsMask(Activation hidden)
    {
        const int rows = 4, inputs = 3, width = 5, outputs = 3;
        var random = new SeededRandom(17 + (ulong)hidden.Kind);
        var spec = new NetworkSpec(inputs, [new LayerSpec(width, hidden), new LayerSpec(4, hidden),
            new LayerSpec(outputs, Activation.Identity)]);
        var model = new Model.Model(spec, [.. Enumerable.Range(0, spec.ParameterCount).Select(_ => (float)random.NextDouble(-1, 1))]);
        float[] x = [.. Enumerable.Range(0, rows * inputs).Select(_ => (float)random.NextDouble(-2, 2))];
        float[] t = [.. Enumerable.Range(0, rows * outputs).Select(_ => (float)random.NextDouble(0, 1))];
        var dropout = new DropoutRates([0.5, 0.5], Seed: 3);
        const LossKind loss = LossKind.MeanSquaredError;

        using IBackend backend = Backends.Create("reference");
        using var network = new TrainingNetwork(backend, model, loss, new OptimizerSettings(), rows, dropout: dropout);
        network.Optimizer.Steps = 5; // the masks are the sixth step's
        using FloatBuffer xb = backend.Allocate(x.Length), tb = backend.Allocate(t.Length);
        backend.Upload(x, xb.All);
        backend.Upload(t, tb.All);
        network.ComputeGradients(xb.All, tb.All, rows);
        float[] analytic = new float[spec.ParameterCount];
        backend.Download(network.Gradients, analytic);

        double[] theta = [.. model.Parameters.Select(v => (double)v)];
        double[] numeric = new double[theta.Length], truncation = new double[theta.Length];
        for (int p = 0; p < theta.Length; p++)
        {
            double coarse = Central(spec, theta, x, t, rows, loss, dropout, p, 2e-4);
            numeric[p] = Central(spec, theta, x, t, rows, loss, dropout, p, 1e-4);
            truncation[p] = Math.Abs(coarse - numeric[p]) / 3 + 1e-9;
        }
        double scale = numeric.Sum(Math.Abs);
        int k = rows * width * spec.Layers.Count + spec.Layers.Count;
        int zeroed = 0;
        for (int p = 0; p < theta.Length; p++)
        {
            double allowed = Tolerance.Bound(k, scale) + truncation[p];
            Assert.True(Math.Abs(analytic[p] - numeric[p]) <= allowed,
                $"parameter {p}: backprop {analytic[p]:G9}, finite differences {numeric[p]:G9}, allowed ±{allowed:G3}");
            zeroed += analytic[p] == 0 ? 1 : 0;
        }
        Assert.True(zeroed > 0, "no weight gradient is zero: no unit was dropped");
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void EvaluationNeverDropsAndTrainingDoes(string backendName)
    {
        using IBackend backend = Backends.Create(backendName);
        Model.Model model = GradientAccumulationTests.Initial(LossKind.SoftmaxCrossEntropy);
        using var device = new DeviceDataset(backend, Data);
        using var plain = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy, new OptimizerSettings(), 23);
        using var dropping = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy, new OptimizerSettings(), 23,
            dropout: new DropoutRates([0.5], 1));
        dropping.ComputeGradients(device.Features.All, device.Targets.All, 23);
        plain.ComputeGradients(device.Features.All, device.Targets.All, 23);
        Assert.NotEqual(Download(backend, plain.Gradients), Download(backend, dropping.Gradients));

        float[] expected = Download(backend, plain.Forward(device.Features.All, 23));
        float[] actual = Download(backend, dropping.Forward(device.Features.All, 23));
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        plain.TakeMetrics();
        dropping.TakeMetrics();
        plain.EvaluateBatch(device.Features.All, device.Targets.All, 23);
        dropping.EvaluateBatch(device.Features.All, device.Targets.All, 23);
        Assert.Equal(plain.TakeMetrics(), dropping.TakeMetrics());
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void RateZeroTrainsExactlyAsWithoutDropout(string backendName)
    {
        // batches of 4 (gradients, then the optimizer) and of 1 (the fused per-example SGD step)
        foreach (int batch in new[] { 4, 1 })
        {
            var options = new TrainingOptions(2, batch, Shuffle: true, Seed: 8);
            float[] without = Train(backendName, options, OptimizerKind.Sgd);
            float[] zero = Train(backendName, options with { Dropout = [0] }, OptimizerKind.Sgd);
            Assert.Equal(without, zero);
            Assert.NotEqual(without, Train(backendName, options with { Dropout = [0.3] }, OptimizerKind.Sgd));
        }
    }

    /// <summary>
    /// The masks are keyed by the row within the whole batch, so K = 2 micro-batches draw the masks one batch of 10
    /// draws and the gradients agree within <see cref="GradientAccumulationTests"/>' bound, with the magnitudes through
    /// the dropped layer multiplied by 1/(1 − p) (its input and its D are at most that much larger) and one more
    /// rounding in each term's chain for the scaling. Keying by the micro-batch's own rows instead breaks the bound.
    /// </summary>
    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void TwoMicroBatchesDrawTheMasksOfTheWholeBatch(string backendName)
    {
        const int rows = GradientAccumulationTests.Rows;
        const double rate = 0.5;
        Dataset data = GradientAccumulationTests.Blobs(rows);
        using IBackend backend = Backends.Create(backendName);
        using var device = new DeviceDataset(backend, data);
        var dropout = new DropoutRates([rate], 5);
        Model.Model model = GradientAccumulationTests.Initial(LossKind.SoftmaxCrossEntropy);
        OptimizerSettings settings = GradientAccumulationTests.Settings(OptimizerKind.Adam);
        using var whole = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy, settings, rows, dropout: dropout);
        using var split = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy, settings, rows / 2,
            accumulates: true, dropout: dropout);
        whole.Optimizer.Steps = split.Optimizer.Steps = 7;
        whole.ComputeGradients(device.Features.All, device.Targets.All, rows);
        float[] g1 = Download(backend, whole.Gradients);
        NetworkSpec spec = whole.Spec;
        double[] magnitude = GradientAccumulationTests.TermMagnitudes(whole, data.Features, model.Parameters);
        int chain = Enumerable.Range(0, spec.Layers.Count).Sum(l => spec.InputsOf(l) + spec.Layers[l].Units) + 1;
        double[] bound = [.. magnitude.Select(m => Tolerance.Bound(rows + chain, m / (1 - rate)))];

        float[] Accumulated(bool globalRows)
        {
            for (int first = 0; first < rows; first += rows / 2)
            {
                split.AccumulateGradients(device.Features.Slice(first * 4, rows / 2 * 4),
                    device.Targets.Slice(first * 3, rows / 2 * 3), rows / 2, rows, first: first == 0,
                    firstRow: globalRows ? first : 0);
            }
            return Download(backend, split.AccumulatedGradients);
        }

        float[] g2 = Accumulated(globalRows: true);
        for (int i = 0; i < g1.Length; i++)
        {
            Assert.True(Math.Abs(g2[i] - (double)g1[i]) <= bound[i],
                $"parameter {i}: two micro-batches {g2[i]:G9}, one batch {g1[i]:G9}, bound {bound[i]:G3}");
        }
        float[] local = Accumulated(globalRows: false);
        Assert.Contains(Enumerable.Range(0, g1.Length), i => Math.Abs(local[i] - (double)g1[i]) > bound[i]);
    }

    /// <summary>
    /// Data-parallel ranks take consecutive slices of a batch and key their masks by the rows' place in the whole
    /// batch, so the all-reduced gradient is one process's within the bound of the micro-batch test above.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void RanksDrawTheMasksOfTheWholeBatch(int ranks)
    {
        const int rows = GradientAccumulationTests.Rows;
        const double rate = 0.5;
        Dataset data = GradientAccumulationTests.Blobs(rows);
        var options = new TrainingOptions(1, rows, Shuffle: false, Seed: 5) { Dropout = [rate] };
        Model.Model model = GradientAccumulationTests.Initial(LossKind.SoftmaxCrossEntropy);
        OptimizerSettings settings = GradientAccumulationTests.Settings(OptimizerKind.Adam);
        float[][] reduced = InProcessCommunicator.Run(ranks, communicator =>
        {
            using IBackend backend = Backends.Create("reference");
            using var mine = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy, settings,
                options.MicroBatchSizeOn(communicator.Size), accumulates: true, dropout: options.DropoutRates);
            using var trainer = new Trainer(mine, data, null, options, communicator: communicator);
            Assert.NotNull(trainer.RunEpoch());
            return Download(backend, trainer.StepGradients);
        });

        using IBackend backend = Backends.Create("reference");
        using var device = new DeviceDataset(backend, data);
        using var whole = new TrainingNetwork(backend, model, LossKind.SoftmaxCrossEntropy, settings, rows,
            dropout: options.DropoutRates);
        whole.ComputeGradients(device.Features.All, device.Targets.All, rows);
        float[] g1 = Download(backend, whole.Gradients);
        NetworkSpec spec = whole.Spec;
        double[] magnitude = GradientAccumulationTests.TermMagnitudes(whole, data.Features, model.Parameters);
        int chain = Enumerable.Range(0, spec.Layers.Count).Sum(l => spec.InputsOf(l) + spec.Layers[l].Units) + 1;
        for (int i = 0; i < g1.Length; i++)
        {
            double bound = Tolerance.Bound(rows + chain, magnitude[i] / (1 - rate));
            Assert.True(Math.Abs(reduced[0][i] - (double)g1[i]) <= bound,
                $"parameter {i}: {ranks} ranks {reduced[0][i]:G9}, one process {g1[i]:G9}, bound {bound:G3}");
        }
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void AStoppedRunWithDropoutResumesBitForBit(string backendName)
    {
        var options = new TrainingOptions(2, 4, Shuffle: true, Seed: 21) { Dropout = [0.4], Accumulate = 2 };
        float[] straight = Train(backendName, options, OptimizerKind.Adam);

        using var dir = new TempDirectory();
        string path = dir.File("mid.ckpt");
        using (IBackend backend = Backends.Create(backendName))
        using (TrainingNetwork network = Network(backend, options, OptimizerKind.Adam))
        using (var trainer = new Trainer(network, Data, null, options))
        {
            using var cancel = new CancellationTokenSource();
            int batches = 0;
            trainer.RunEpoch();
            Assert.Null(trainer.RunEpoch(cancel.Token, _ =>
            {
                if (++batches == 2)
                {
                    cancel.Cancel();
                }
            }));
            CheckpointFile.Write(Checkpoint.Capture(network, trainer, options), path);
        }
        Checkpoint checkpoint = CheckpointFile.Read(path);
        Assert.Equal([0.4], checkpoint.Training.Dropout!);
        using (IBackend backend = Backends.Create(backendName))
        using (TrainingNetwork network = checkpoint.CreateNetwork(backend, Data.Count))
        using (var trainer = new Trainer(network, Data, null, checkpoint.Training))
        {
            checkpoint.Restore(network, trainer);
            trainer.RunEpoch();
            Assert.Equal(straight, network.ToModel().Parameters);
        }
    }

    [Fact]
    public void TheMemoryEstimateCountsTheDroppedActivations()
    {
        using IBackend backend = Backends.Create("reference");
        var spec = new NetworkSpec(4, [new LayerSpec(6, Activation.Tanh), new LayerSpec(5, Activation.Gelu),
            new LayerSpec(3, Activation.Identity)]);
        TrainingMemory Estimate(IReadOnlyList<double>? dropout) =>
            TrainingMemory.ForTraining(backend, spec, OptimizerKind.Adam, true, 32, 1000, 0, dropout: dropout);
        // one more [32, units] float buffer for each layer that drops: layer 2 only here
        Assert.Equal(Estimate(null).ActivationsAndDeltas + (32 * 5 * 4), Estimate([0, 0.5]).ActivationsAndDeltas);
        Assert.Equal(Estimate(null).ActivationsAndDeltas, Estimate([0, 0]).ActivationsAndDeltas);
    }

    private static TrainingNetwork Network(IBackend backend, TrainingOptions options, OptimizerKind kind) =>
        new(backend, GradientAccumulationTests.Initial(LossKind.SoftmaxCrossEntropy), LossKind.SoftmaxCrossEntropy,
            GradientAccumulationTests.Settings(kind), options.MicroBatchSize, accumulates: options.Accumulate > 1,
            dropout: options.DropoutRates);

    private static float[] Train(string backendName, TrainingOptions options, OptimizerKind kind)
    {
        using IBackend backend = Backends.Create(backendName);
        using TrainingNetwork network = Network(backend, options, kind);
        using var trainer = new Trainer(network, Data, null, options);
        trainer.Run(_ => { });
        return network.ToModel().Parameters;
    }

    private static float[] Download(IBackend backend, BufferView view)
    {
        float[] values = new float[view.Length];
        backend.Download(view, values);
        return values;
    }

    private static double Central(NetworkSpec spec, double[] theta, float[] x, float[] t, int rows, LossKind loss,
        DropoutRates dropout, int p, double h)
    {
        double saved = theta[p];
        theta[p] = saved + h;
        double plus = DoubleNetwork.BatchLoss(spec, theta, x, t, rows, loss, dropout, step: 5);
        theta[p] = saved - h;
        double minus = DoubleNetwork.BatchLoss(spec, theta, x, t, rows, loss, dropout, step: 5);
        theta[p] = saved;
        return (plus - minus) / (2 * h);
    }
}
