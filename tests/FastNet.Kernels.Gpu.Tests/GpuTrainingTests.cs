using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>
/// Short training runs of a 2-layer network kept entirely on the GPU backend (dataset, gathered batches, one flat
/// parameter buffer, metrics accumulated on the device). Every op of every step is checked against the reference
/// on the GPU's own state, and the run must learn.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class GpuTrainingTests(GpuFixture fixture)
{
    [Theory]
    [InlineData(ActivationKind.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Adam, 4, 4)]
    [InlineData(ActivationKind.Sigmoid, LossKind.HalfSquaredError, OptimizerKind.Momentum, 1, 2)]
    [InlineData(ActivationKind.Relu, LossKind.MeanSquaredError, OptimizerKind.Nadam, 3, 3)]
    [InlineData(ActivationKind.LeakyRelu, LossKind.MeanSquaredError, OptimizerKind.Sgd, 3, 3)]
    public void TrainingStepsMatchReferenceAndLowerTheLoss(ActivationKind kind, LossKind loss, OptimizerKind optimizer,
        int batch, int epochs)
    {
        var hidden = new Activation(kind, kind == ActivationKind.LeakyRelu ? 0.1f : 0);
        const int rows = 12, inputs = 5, units = 7, outputs = 3;
        using var h = new Harness(fixture.Backend);
        GpuBackend gpu = fixture.Backend;
        var random = new Random(42);

        Twin data = h.Upload(Data.Uniform(random, rows * inputs));
        Twin labels = h.Upload(Data.OneHot(random, rows, outputs));

        // one flat buffer: W1 [inputs, units], b1 [units], W2 [units, outputs], b2 [outputs]
        int w1 = 0, b1 = inputs * units, w2 = b1 + units, b2 = w2 + units * outputs, count = b2 + outputs;
        Twin parameters = h.Upload(Data.Uniform(random, count, -0.5f, 0.5f));
        Twin gradients = h.Allocate(count);
        Twin state = h.Allocate(OptimizerStep.StateSlots(optimizer) * count);
        Twin x = h.Allocate(batch * inputs), t = h.Allocate(batch * outputs);
        Twin hiddenA = h.Allocate(batch * units), output = h.Allocate(batch * outputs);
        Twin dOutput = h.Allocate(batch * outputs), dHidden = h.Allocate(batch * units);
        Twin metrics = h.Allocate(2);

        using IndexBuffer order = gpu.AllocateIndices(rows);
        double muProduct = 1;
        long stepNumber = 0;
        var epochLoss = new List<float>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            int[] permutation = [.. Enumerable.Range(0, rows).OrderBy(_ => random.Next())];
            gpu.UploadIndices(permutation, order);
            gpu.Fill(0f, metrics.Gpu);
            for (int first = 0; first + batch <= rows; first += batch)
            {
                gpu.GatherRows(data.Gpu, inputs, order, first, batch, x.Gpu);
                gpu.GatherRows(labels.Gpu, outputs, order, first, batch, t.Gpu);
                AssertGathered(h, data, inputs, permutation, first, batch, x);

                h.Forward(x, parameters.Slice(w1, b1 - w1), parameters.Slice(b1, units), batch, inputs, units,
                    hidden, hiddenA);
                h.Forward(hiddenA, parameters.Slice(w2, b2 - w2), parameters.Slice(b2, outputs), batch, units,
                    outputs, Activation.Identity, output);
                h.Loss(output, t, batch, outputs, loss, dOutput, metrics);
                h.Backward(hiddenA, parameters.Slice(w2, b2 - w2), output, batch, units, outputs, Activation.Identity,
                    dOutput, gradients.Slice(w2, b2 - w2), gradients.Slice(b2, outputs), dHidden);
                h.Backward(x, parameters.Slice(w1, b1 - w1), hiddenA, batch, inputs, units, hidden, dHidden,
                    gradients.Slice(w1, b1 - w1), gradients.Slice(b1, units), Twin.Empty);
                OptimizerStep step = OptimizerStep.Create(optimizer, 0.05, 0.9, 0.9, 0.999, 1e-8, 1e-4, ++stepNumber,
                    ref muProduct);
                h.Optimizer(gradients, step, parameters, state);
            }
            epochLoss.Add(h.ReadGpu(metrics)[0]);
        }
        Assert.True(epochLoss[^1] < epochLoss[0], $"loss per epoch: {string.Join(", ", epochLoss)}");
    }

    private static void AssertGathered(Harness h, Twin data, int rowLength, int[] permutation, int first, int batch,
        Twin x)
    {
        float[] source = h.ReadGpu(data), gathered = h.ReadGpu(x);
        for (int r = 0; r < batch; r++)
        {
            Assert.Equal(source.AsSpan(permutation[first + r] * rowLength, rowLength).ToArray(),
                gathered.AsSpan(r * rowLength, rowLength).ToArray());
        }
    }
}
