using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>Every op of the GPU backend against the reference, on awkward shapes, on ILGPU's CPU accelerator.</summary>
[Collection(GpuCollection.Name)]
public sealed class GpuOpTests(GpuFixture fixture)
{
    // (batch, inputs, outputs): single elements, shapes below one tile, shapes that cross tile edges, and one that
    // reaches every thread's last row and column of a tile in all three products (tiles are 64×64, depth 8, each
    // thread owning rows and columns 16 apart).
    // At batch 1 the row kernels run instead: inputs past their unrolled loop (8 rows of 8 parts) and its tail,
    // outputs across column groups and more than two per lane, inputs across groups of warps.
    private static readonly (int Batch, int Inputs, int Outputs)[] Shapes =
        [(1, 1, 1), (3, 7, 17), (17, 33, 3), (67, 9, 66), (50, 53, 51), (1, 131, 70), (1, 70, 33)];

    // Shapes for the 128×128 kernels: every thread's last row and column, and edges of two tiles.
    private static readonly (int Batch, int Inputs, int Outputs)[] LargeShapes =
        [(1, 1, 1), (131, 19, 130), (115, 121, 117)];

    // Shapes for the 128×256 kernels, inputs and outputs multiples of 4 so that they apply: one vector; one tile with
    // a partial k slice; every thread's rows and columns of a full tile and the edges of the next ones (forward and
    // dX: m = batch crosses 128 and n crosses 256, k = 12 ends in half a slice).
    private static readonly (int Batch, int Inputs, int Outputs)[] WideForwardShapes =
        [(1, 4, 4), (5, 36, 24), (131, 12, 260)];

    public static TheoryData<GemmTiling, int, int, int, Activation, bool> ForwardCases()
    {
        var data = new TheoryData<GemmTiling, int, int, int, Activation, bool>();
        foreach (Activation activation in Activation.OneOfEachKind)
        {
            foreach ((int batch, int inputs, int outputs) in Shapes)
            {
                data.Add(GemmTiling.Auto, batch, inputs, outputs, activation, true);
                data.Add(GemmTiling.Auto, batch, inputs, outputs, activation, false);
            }
            foreach ((int batch, int inputs, int outputs) in LargeShapes)
            {
                data.Add(GemmTiling.Large, batch, inputs, outputs, activation, true);
            }
            foreach ((int batch, int inputs, int outputs) in WideForwardShapes)
            {
                data.Add(GemmTiling.Wide, batch, inputs, outputs, activation, true);
            }
            data.Add(GemmTiling.Wide, 131, 12, 260, activation, false);
        }
        data.Add(GemmTiling.Large, 131, 19, 130, Activation.Identity, false);
        return data;
    }

    public static TheoryData<GemmTiling, int, int, int, Activation, bool, bool> BackwardCases()
    {
        var data = new TheoryData<GemmTiling, int, int, int, Activation, bool, bool>();
        foreach (Activation activation in Activation.OneOfEachKind)
        {
            foreach ((int batch, int inputs, int outputs) in Shapes)
            {
                data.Add(GemmTiling.Auto, batch, inputs, outputs, activation, true, true);
                data.Add(GemmTiling.Auto, batch, inputs, outputs, activation, false, false);
            }
            foreach ((int batch, int inputs, int outputs) in LargeShapes)
            {
                data.Add(GemmTiling.Large, batch, inputs, outputs, activation, true, true);
            }
        }
        data.Add(GemmTiling.Auto, 3, 7, 17, Activation.Tanh, true, false);
        data.Add(GemmTiling.Auto, 3, 7, 17, Activation.Sigmoid, false, true);
        data.Add(GemmTiling.Large, 131, 19, 130, Activation.Relu, false, false);
        // The 128×256 kernels, the activation only shapes dZ. dW = Xᵀ·dZ is [inputs, outputs] with k = batch; dX =
        // dZ·Wᵀ is [batch, inputs] with k = outputs. First dW crosses both tile edges (132 > 128, 260 > 256) and dX
        // has one tile and 33 slices; then dX crosses both edges and dW has three row tiles and k = 131.
        data.Add(GemmTiling.Wide, 1, 4, 4, Activation.Identity, false, true);
        data.Add(GemmTiling.Wide, 13, 132, 260, Activation.Tanh, true, true);
        data.Add(GemmTiling.Wide, 131, 260, 12, Activation.Relu, true, true);
        data.Add(GemmTiling.Wide, 131, 260, 12, Activation.Identity, false, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void DenseForwardMatchesReference(GemmTiling tiling, int batch, int inputs, int outputs,
        Activation activation, bool bias)
    {
        using var h = new Harness(fixture.Get(tiling));
        var random = new Random(batch * 1000 + inputs * 10 + outputs);
        Twin x = h.Upload(Data.Uniform(random, batch * inputs, -2, 2));
        Twin w = h.Upload(Data.Uniform(random, inputs * outputs));
        Twin b = bias ? h.Upload(Data.Uniform(random, outputs)) : Twin.Empty;
        Twin a = h.Allocate(batch * outputs);
        h.Forward(x, w, b, batch, inputs, outputs, activation, a);
    }

    [Theory]
    [InlineData(ActivationKind.Identity, false)]
    [InlineData(ActivationKind.Identity, true)]
    [InlineData(ActivationKind.Sigmoid, true)]
    [InlineData(ActivationKind.Tanh, true)]
    [InlineData(ActivationKind.Relu, false)]
    public void SeparateBiasActivationEpilogueMatchesReference(ActivationKind kind, bool bias)
    {
        var activation = new Activation(kind, 0);
        using var h = new Harness(fixture.Backend);
        const int batch = 9, inputs = 5, outputs = 70;
        var random = new Random(70);
        Twin x = h.Upload(Data.Uniform(random, batch * inputs, -2, 2));
        Twin w = h.Upload(Data.Uniform(random, inputs * outputs));
        Twin b = bias ? h.Upload(Data.Uniform(random, outputs)) : Twin.Empty;
        h.Forward(x, w, b, batch, inputs, outputs, activation, h.Allocate(batch * outputs), splitEpilogue: true);
    }

    [Theory]
    [MemberData(nameof(BackwardCases))]
    public void DenseBackwardMatchesReference(GemmTiling tiling, int batch, int inputs, int outputs,
        Activation activation, bool bias, bool inputGradient)
    {
        using var h = new Harness(fixture.Get(tiling));
        var random = new Random(batch * 1000 + inputs * 10 + outputs + 7);
        Twin x = h.Upload(Data.Uniform(random, batch * inputs));
        Twin w = h.Upload(Data.Uniform(random, inputs * outputs));
        // A must be a possible output of the activation: take it from the reference's forward pass.
        float[] z = Data.Uniform(random, batch * outputs, -3, 3);
        Twin a = h.Upload([.. z.Select(v => (float)Reference.ReferenceBackend.Activate(activation, v))]);
        Twin pre = activation.NeedsPreActivation ? h.Upload(z) : Twin.Empty;
        Twin delta = h.Upload(Data.Uniform(random, batch * outputs));
        Twin dW = h.Allocate(inputs * outputs);
        Twin db = bias ? h.Allocate(outputs) : Twin.Empty;
        Twin dX = inputGradient ? h.Allocate(batch * inputs) : Twin.Empty;
        h.Backward(x, w, a, batch, inputs, outputs, activation, delta, dW, db, dX, pre);
    }

    // The 128×256 kernels read rows as 16-byte vectors. Where a row length is not a multiple of 4 floats or a view
    // starts off a 4-float boundary the backend must take another tiling, so forcing them still gives exact results
    // (the vector path would read shifted or misaligned rows).
    [Theory]
    [InlineData(9, 13, 20, 0)]
    [InlineData(9, 12, 22, 0)]
    [InlineData(9, 12, 20, 1)]
    [InlineData(9, 12, 20, 2)]
    public void WideTilingFallsBackWhereVectorsDoNotFit(int batch, int inputs, int outputs, int offset)
    {
        using var h = new Harness(fixture.WideTiles);
        var random = new Random(batch + inputs + outputs + offset);
        Twin x = h.Upload(Data.Uniform(random, offset + batch * inputs)).Slice(offset, batch * inputs);
        Twin w = h.Upload(Data.Uniform(random, inputs * outputs));
        Twin b = h.Upload(Data.Uniform(random, outputs));
        h.Forward(x, w, b, batch, inputs, outputs, Activation.Tanh, h.Allocate(batch * outputs));

        float[] z = Data.Uniform(random, batch * outputs, -3, 3);
        Twin a = h.Upload([.. z.Select(v => (float)Reference.ReferenceBackend.Activate(Activation.Tanh, v))]);
        Twin delta = h.Upload(Data.Uniform(random, offset + batch * outputs)).Slice(offset, batch * outputs);
        h.Backward(x, w, a, batch, inputs, outputs, Activation.Tanh, delta, h.Allocate(inputs * outputs),
            h.Allocate(outputs), h.Allocate(batch * inputs));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(17, 10)]
    [InlineData(300, 3)]
    [InlineData(2200, 30)] // above the single-group limit: rows spread over groups, sums added by a second launch
    public void LossMatchesReferenceForEveryKind(int batch, int outputs)
    {
        using var h = new Harness(fixture.Backend);
        var random = new Random(batch * 31 + outputs);
        foreach (LossKind loss in Enum.GetValues<LossKind>())
        {
            Twin output = h.Upload(Data.Uniform(random, batch * outputs, -4, 4));
            Twin targets = h.Upload(Data.OneHot(random, batch, outputs));
            Twin metrics = h.Upload([1.5f, 2f]);
            Twin dOutput = h.Allocate(batch * outputs);
            h.Loss(output, targets, batch, outputs, loss, dOutput, metrics);
            // evaluation only, accumulating onto the sums just produced
            h.Loss(output, targets, batch, outputs, loss, Twin.Empty, metrics);
        }
    }

    [Fact]
    public void SoftmaxCrossEntropyAcceptsProbabilityTargetsAndLargeLogits()
    {
        using var h = new Harness(fixture.Backend);
        const int batch = 5, outputs = 7;
        var random = new Random(5);
        float[] logits = Data.Uniform(random, batch * outputs, -30, 30);
        float[] targets = Data.Uniform(random, batch * outputs, 0, 1);
        for (int r = 0; r < batch; r++)
        {
            float sum = 0;
            for (int j = 0; j < outputs; j++)
            {
                sum += targets[r * outputs + j];
            }
            for (int j = 0; j < outputs; j++)
            {
                targets[r * outputs + j] /= sum;
            }
        }
        h.Loss(h.Upload(logits), h.Upload(targets), batch, outputs, LossKind.SoftmaxCrossEntropy,
            h.Allocate(batch * outputs), h.Upload([0f, 0f]));
    }

    public static TheoryData<OptimizerKind, double> OptimizerCases()
    {
        var data = new TheoryData<OptimizerKind, double>();
        // LARS and LAMB run per layer: GpuTrustRatioStepTests
        foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>().Where(k => !OptimizerStep.IsLayerwise(k)))
        {
            data.Add(kind, 0);
            data.Add(kind, 0.01);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void OptimizerStepMatchesReference(OptimizerKind kind, double weightDecay)
    {
        using var h = new Harness(fixture.Backend);
        var random = new Random((int)kind * 17 + (weightDecay > 0 ? 1 : 0));
        foreach (int n in new[] { 1, 7, 300 })
        {
            int slots = OptimizerStep.StateSlots(kind);
            Twin parameters = h.Upload(Data.Uniform(random, n));
            float[] state = Data.Uniform(random, slots * n);
            if (kind is OptimizerKind.Adagrad or OptimizerKind.RmsProp)
            {
                state = [.. state.Select(MathF.Abs)];
            }
            else if (slots == 2)
            {
                // the second moment is non-negative
                for (int i = n; i < 2 * n; i++)
                {
                    state[i] = MathF.Abs(state[i]) * 0.01f;
                }
            }
            Twin s = slots == 0 ? Twin.Empty : h.Upload(state);
            double muProduct = 1;
            for (long t = 1; t <= 3; t++)
            {
                OptimizerStep step = OptimizerStep.Create(kind, 0.01, 0.9, 0.9, 0.999, 1e-8, weightDecay, t,
                    ref muProduct);
                Twin gradient = h.Upload(Data.Uniform(random, n));
                h.Optimizer(gradient, step, parameters, s);
            }
        }
    }

    [Fact]
    public void GatherRowsCopiesIndexedRowsAndRejectsBadIndices()
    {
        using var h = new Harness(fixture.Backend);
        GpuBackend gpu = fixture.Backend;
        const int rows = 9, rowLength = 5;
        var random = new Random(9);
        float[] source = Data.Uniform(random, rows * rowLength);
        Twin src = h.Upload(source);
        int[] order = [4, 0, 8, 8, 3, 1, 7];
        using IndexBuffer indices = gpu.AllocateIndices(order.Length + 2);
        gpu.UploadIndices(order, indices);
        Twin destination = h.Allocate(4 * rowLength);
        gpu.GatherRows(src.Gpu, rowLength, indices, 2, 4, destination.Gpu);
        float[] got = h.ReadGpu(destination);
        for (int r = 0; r < 4; r++)
        {
            Assert.Equal(source.AsSpan(order[2 + r] * rowLength, rowLength).ToArray(),
                got.AsSpan(r * rowLength, rowLength).ToArray());
        }

        gpu.UploadIndices([0, rows], indices);
        Assert.Throws<ArgumentOutOfRangeException>(
            () => gpu.GatherRows(src.Gpu, rowLength, indices, 0, 2, destination.Slice(0, 2 * rowLength).Gpu));
    }

    [Fact]
    public void UploadFillAndDownloadRespectViews()
    {
        GpuBackend gpu = fixture.Backend;
        using FloatBuffer buffer = gpu.Allocate(10);
        float[] values = new float[10];
        gpu.Download(buffer.All, values);
        Assert.All(values, v => Assert.Equal(0f, v));

        gpu.Upload([1f, 2f, 3f], buffer.Slice(2, 3));
        gpu.Fill(-0.5f, buffer.Slice(6, 3));
        gpu.Download(buffer.All, values);
        Assert.Equal([0f, 0f, 1f, 2f, 3f, 0f, -0.5f, -0.5f, -0.5f, 0f], values);

        float[] part = new float[2];
        gpu.Download(buffer.Slice(3, 2), part);
        Assert.Equal([2f, 3f], part);
    }

    [Theory]
    [InlineData(GemmTiling.Auto, 19, 130)]
    [InlineData(GemmTiling.Large, 19, 130)]
    [InlineData(GemmTiling.Wide, 20, 132)]
    public void ReductionsAreBitIdenticalFromRunToRun(GemmTiling tiling, int inputs, int outputs)
    {
        GpuBackend gpu = fixture.Get(tiling);
        const int batch = 131;
        var random = new Random(131);
        float[] x = Data.Uniform(random, batch * inputs), w = Data.Uniform(random, inputs * outputs);
        float[] a = [.. Data.Uniform(random, batch * outputs).Select(MathF.Tanh)];
        float[] delta = Data.Uniform(random, batch * outputs);
        float[] targets = Data.OneHot(random, batch, outputs);

        float[] Run()
        {
            using FloatBuffer X = gpu.Allocate(x.Length), W = gpu.Allocate(w.Length), A = gpu.Allocate(a.Length);
            using FloatBuffer D = gpu.Allocate(delta.Length), dW = gpu.Allocate(w.Length), db = gpu.Allocate(outputs);
            using FloatBuffer dX = gpu.Allocate(x.Length), T = gpu.Allocate(targets.Length), m = gpu.Allocate(2);
            gpu.Upload(x, X.All);
            gpu.Upload(w, W.All);
            gpu.Upload(a, A.All);
            gpu.Upload(delta, D.All);
            gpu.Upload(targets, T.All);
            gpu.DenseBackward(X.All, W.All, A.All, batch, inputs, outputs, Activation.Tanh, D.All, dW.All, db.All,
                dX.All);
            gpu.Loss(A.All, T.All, batch, outputs, LossKind.SoftmaxCrossEntropy, BufferView.Empty, m.All);
            return [.. Harness.Read(gpu, dW.All), .. Harness.Read(gpu, db.All), .. Harness.Read(gpu, dX.All),
                .. Harness.Read(gpu, m.All)];
        }

        float[] first = Run(), second = Run();
        Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), second.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ForeignBuffersAreRejected()
    {
        GpuBackend gpu = fixture.Backend;
        using var reference = new Reference.ReferenceBackend();
        using FloatBuffer foreign = reference.Allocate(4);
        Assert.Throws<ArgumentException>(() => gpu.Fill(1f, foreign.All));
    }
}
