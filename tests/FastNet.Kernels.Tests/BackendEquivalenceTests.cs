using System.Collections.Concurrent;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// Every op of every backend against the reference on awkward shapes, under <see cref="Tolerance"/> with the bounds of
/// <see cref="OpBounds"/>. Each test project binds the suite to its backends (<see cref="BackendsUnderTest"/>), so a
/// backend added to the registry inherits the whole suite (the reference itself is kept as a sanity case).
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class BackendEquivalenceTests
{
    public static TheoryData<string> Candidates => BackendsUnderTest.Candidates;

    public static TheoryData<string> LayerCandidates => BackendsUnderTest.LayerCandidates;

    // the reference's results and the bounds depend only on the shapes: computed once per list of shapes
    private static readonly ConcurrentDictionary<(int, int, int)[], Lazy<List<LayerCase>>> Cases = new();

    // OneOfShape: the case (bias, dX, a fused activation) that checks the backward pass where the sizes ask for it once
    // per shape
    private sealed record LayerCase(int Batch, int Inputs, int Outputs, Activation Activation, float[] X, float[] W,
        float[]? B, float[] DeltaIn, bool HasDX, bool OneOfShape, float[] A, float[]? Z,
        (float[] Dz, float[] DW, float[]? Db, float[]? DX) Grads,
        ElementBounds ForwardBounds, BackwardBounds BackwardBounds)
    {
        public override string ToString() =>
            $"{Batch}x{Inputs}x{Outputs} {Activation} bias={B is not null} dX={HasDX}";
    }

    private static List<LayerCase> BuildCases((int Batch, int Inputs, int Outputs)[] shapes)
    {
        using IBackend reference = BackendsUnderTest.Reference();
        var random = new Random(1);
        var cases = new List<LayerCase>();
        int variant = 0;
        foreach ((int batch, int inputs, int outputs) in shapes)
        {
            bool oneSeen = false;
            foreach (Activation activation in Activation.OneOfEachKind)
            {
                // alternate bias and dX so every combination meets every activation across the shapes
                bool hasBias = variant % 2 == 0, hasDX = variant / 2 % 2 == 0;
                variant++;
                float[] x = Host.Random(random, batch * inputs);
                float[] w = Host.Random(random, inputs * outputs, 2 / Math.Sqrt(inputs));
                float[]? b = hasBias ? Host.Random(random, outputs, 0.5) : null;
                float[] deltaIn = Host.Random(random, batch * outputs);
                (float[] a, float[]? z, var grads) = Run(reference, x, w, b, deltaIn, batch, inputs, outputs,
                    activation, hasDX, null, null, backward: true);
                // the fused activations come first and meet every bias and dX combination, so one is found
                bool one = hasBias && hasDX && !activation.IsSeparatePass && !oneSeen;
                oneSeen |= one;
                cases.Add(new LayerCase(batch, inputs, outputs, activation, x, w, b, deltaIn, hasDX, one, a, z,
                    grads,
                    OpBounds.DenseForward(x, w, b, batch, inputs, outputs, activation, a),
                    OpBounds.DenseBackward(activation, x, w, a, z, deltaIn, grads.Dz, batch, inputs, outputs)));
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(LayerCandidates))]
    public void DenseForwardAndBackwardMatchTheReference(string name)
    {
        BackendUnderTest candidate = BackendsUnderTest.Get(name);
        CaseSizes sizes = candidate.Sizes;
        foreach (LayerCase c in Cases.GetOrAdd(sizes.Layers, s => new(() => BuildCases(s))).Value)
        {
            if (sizes.FusedActivationsOnly && c.Activation.IsSeparatePass)
            {
                continue;
            }
            bool backward = c.OneOfShape || sizes.BackwardWithEveryActivation is not { } every
                || every.Contains((c.Batch, c.Inputs, c.Outputs));
            (float[] a, _, var grads) = Run(candidate.Backend, c.X, c.W, c.B, c.DeltaIn, c.Batch, c.Inputs, c.Outputs,
                c.Activation, c.HasDX, c.A, c.Z, backward);
            try
            {
                Expect.Within("A", a, c.A, c.ForwardBounds);
                if (backward)
                {
                    Expect.Backward(grads, c.Grads, c.BackwardBounds);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new Xunit.Sdk.XunitException($"{name} {c}: {e.Message}");
            }
        }
    }

    private static void Poison(IBackend backend, BufferView view)
    {
        float[] nan = new float[view.Length];
        Array.Fill(nan, float.NaN);
        backend.Upload(nan, view);
    }

    // forward from x; with backward, backward from the given layer output and Z (the reference's, so both backends
    // differentiate the same A and Z), otherwise empty gradients
    private static (float[] A, float[]? Z, (float[] Dz, float[] DW, float[]? Db, float[]? DX) Grads) Run(
        IBackend backend, float[] x, float[] w, float[]? b, float[] deltaIn, int batch, int inputs, int outputs,
        Activation activation, bool hasDX, float[]? aForBackward, float[]? zForBackward, bool backward)
    {
        using FloatBuffer Z = backend.Allocate(activation.NeedsPreActivation ? batch * outputs : 0);
        using FloatBuffer X = Host.Upload(backend, x), W = Host.Upload(backend, w);
        using FloatBuffer B = backend.Allocate(outputs), A = backend.Allocate(batch * outputs);
        using FloatBuffer D = Host.Upload(backend, deltaIn), DW = backend.Allocate(inputs * outputs);
        using FloatBuffer DB = backend.Allocate(outputs), DX = backend.Allocate(batch * inputs);
        // poison the outputs: the ops must overwrite them (uploaded, not filled: on the CPU-emulated GPU each launch
        // costs more than these cases' arithmetic; FillSetsTheViewAndNothingElse checks Fill)
        Poison(backend, A.All);
        if (activation.NeedsPreActivation)
        {
            Poison(backend, Z.All);
        }
        Poison(backend, DW.All);
        Poison(backend, DB.All);
        Poison(backend, DX.All);
        BufferView bias = BufferView.Empty;
        if (b is not null)
        {
            backend.Upload(b, B.All);
            bias = B.All;
        }
        backend.DenseForward(X.All, W.All, bias, batch, inputs, outputs, activation, A.All, Z.All);
        float[] a = Host.Download(backend, A.All);
        float[]? z = activation.NeedsPreActivation ? Host.Download(backend, Z.All) : null;
        if (!backward)
        {
            return (a, z, ([], [], null, null));
        }
        if (aForBackward is not null)
        {
            backend.Upload(aForBackward, A.All);
        }
        if (zForBackward is not null)
        {
            backend.Upload(zForBackward, Z.All);
        }
        backend.DenseBackward(X.All, W.All, A.All, batch, inputs, outputs, activation, D.All, DW.All,
            b is null ? BufferView.Empty : DB.All, hasDX ? DX.All : BufferView.Empty, Z.All);
        return (a, z, (Host.Download(backend, D.All), Host.Download(backend, DW.All),
            b is null ? null : Host.Download(backend, DB.All), hasDX ? Host.Download(backend, DX.All) : null));
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void LossMatchesTheReference(string name)
    {
        BackendUnderTest bound = BackendsUnderTest.Get(name);
        IBackend candidate = bound.Backend;
        using IBackend reference = BackendsUnderTest.Reference();
        var random = new Random(2);
        foreach (LossKind loss in Enum.GetValues<LossKind>())
        {
            foreach ((int batch, int outputs) in bound.Sizes.Losses)
            {
                foreach (bool gradient in new[] { true, false })
                {
                    float[] output = Host.Random(random, batch * outputs, loss == LossKind.SoftmaxCrossEntropy ? 8 : 1);
                    float[] targets = Targets(random, loss, batch, outputs);
                    float[] metrics = [(float)random.NextDouble() * 10, random.Next(5)];
                    var r = Loss(reference, loss, output, targets, batch, outputs, metrics, gradient);
                    var c = Loss(candidate, loss, output, targets, batch, outputs, metrics, gradient);
                    try
                    {
                        Expect.Loss(loss, output, targets, batch, outputs, metrics, c, r);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        throw new Xunit.Sdk.XunitException($"{loss} {batch}x{outputs} gradient={gradient}: {e.Message}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void SoftmaxCrossEntropyTakesProbabilityTargetsAndLogitsFarApart(string name)
    {
        IBackend candidate = BackendsUnderTest.Get(name).Backend;
        using IBackend reference = BackendsUnderTest.Reference();
        const int batch = 5, outputs = 7;
        var random = new Random(5);
        // logits 60 apart: e^(z − max) underflows float32 for some, the softmax must still shift by the row maximum
        float[] logits = Host.Random(random, batch * outputs, 30);
        float[] targets = [.. Host.Random(random, batch * outputs).Select(MathF.Abs)];
        for (int r = 0; r < batch; r++)
        {
            float sum = targets.AsSpan(r * outputs, outputs).ToArray().Sum();
            for (int k = 0; k < outputs; k++)
            {
                targets[r * outputs + k] /= sum;
            }
        }
        float[] metrics = [0, 0];
        var c = Loss(candidate, LossKind.SoftmaxCrossEntropy, logits, targets, batch, outputs, metrics, true);
        var r0 = Loss(reference, LossKind.SoftmaxCrossEntropy, logits, targets, batch, outputs, metrics, true);
        Expect.Loss(LossKind.SoftmaxCrossEntropy, logits, targets, batch, outputs, metrics, c, r0);
    }

    /// <summary>
    /// One call's loss sum is the float32 rounding of its exact sum: a first row's loss of 2²³ and every other row's
    /// 0.5 (below half an ulp of 2²³, so a float running sum that reaches 2²³ drops each one). 600 rows × 1 output
    /// and 2200 × 30 are the GPU's single-group and rows-over-groups kernels; every row is counted correct.
    /// </summary>
    [Theory]
    [MemberData(nameof(Candidates))]
    public void LossSumKeepsSmallLossesAfterALargeOne(string name)
    {
        IBackend candidate = BackendsUnderTest.Get(name).Backend;
        foreach ((int batch, int outputs) in new[] { (600, 1), (2200, 30) })
        {
            // half squared error: row 0's difference 4096 (ℓ = 2²³), the others' 1 (ℓ = 0.5), each in output 0
            float[] output = new float[batch * outputs], targets = new float[batch * outputs];
            for (int r = 0; r < batch; r++)
            {
                output[r * outputs] = r == 0 ? 4096 : 1;
            }
            double exact = Math.Pow(2, 23) + 0.5 * (batch - 1);
            foreach (bool gradient in new[] { true, false })
            {
                var (_, metrics) = Loss(candidate, LossKind.HalfSquaredError, output, targets, batch, outputs, [0, 0],
                    gradient);
                Assert.Equal((float)exact, metrics[0]);
                Assert.Equal(batch, metrics[1]);
            }
        }
    }

    // one-hot rows for cross-entropy (every other row a probability vector), values in [0, 1) for the squared errors
    private static float[] Targets(Random random, LossKind loss, int batch, int outputs)
    {
        float[] t = new float[batch * outputs];
        for (int r = 0; r < batch; r++)
        {
            if (loss != LossKind.SoftmaxCrossEntropy)
            {
                for (int k = 0; k < outputs; k++)
                {
                    t[r * outputs + k] = (float)random.NextDouble();
                }
            }
            else if (r % 2 == 0)
            {
                t[r * outputs + random.Next(outputs)] = 1;
            }
            else
            {
                for (int k = 0; k < outputs; k++)
                {
                    t[r * outputs + k] = 1f / outputs;
                }
            }
        }
        return t;
    }

    /// <summary>
    /// Rows that are one part of a larger batch (meanOver): the gradient is of Σ ℓ over that batch's rows, so with a
    /// batch twice as large it is exactly half the batch's own (a power of two), the metrics unchanged; a mean over
    /// fewer rows than the batch is refused.
    /// </summary>
    [Theory]
    [MemberData(nameof(Candidates))]
    public void LossGradientOfAPartOfALargerBatchIsItsShare(string name)
    {
        BackendUnderTest bound = BackendsUnderTest.Get(name);
        IBackend candidate = bound.Backend;
        var random = new Random(4);
        foreach (LossKind loss in Enum.GetValues<LossKind>())
        {
            foreach ((int batch, int outputs) in bound.Sizes.LossShares ?? bound.Sizes.Losses)
            {
                float[] output = Host.Random(random, batch * outputs, loss == LossKind.SoftmaxCrossEntropy ? 8 : 1);
                float[] targets = Targets(random, loss, batch, outputs);
                float[] metrics = [1, 2];
                var own = Loss(candidate, loss, output, targets, batch, outputs, metrics, gradient: true);
                var share = Loss(candidate, loss, output, targets, batch, outputs, metrics, gradient: true,
                    meanOver: 2 * batch);
                Assert.Equal(own.DOutput!.Select(d => d / 2), share.DOutput!);
                Assert.Equal(own.Metrics, share.Metrics);
                if (batch > 1) // 0 means the batch itself
                {
                    Assert.Throws<ArgumentOutOfRangeException>(() =>
                        Loss(candidate, loss, output, targets, batch, outputs, metrics, gradient: true, meanOver: batch - 1));
                }
            }
        }
    }

    private static (float[]? DOutput, float[] Metrics) Loss(IBackend backend, LossKind loss, float[] output,
        float[] targets, int batch, int outputs, float[] metrics, bool gradient, int meanOver = 0)
    {
        using FloatBuffer O = Host.Upload(backend, output), T = Host.Upload(backend, targets);
        using FloatBuffer D = backend.Allocate(batch * outputs), M = Host.Upload(backend, metrics);
        Poison(backend, D.All);
        backend.Loss(O.All, T.All, batch, outputs, loss, gradient ? D.All : BufferView.Empty, M.All, meanOver);
        return (gradient ? Host.Download(backend, D.All) : null, Host.Download(backend, M.All));
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void OptimizerStepMatchesTheReference(string name)
    {
        BackendUnderTest bound = BackendsUnderTest.Get(name);
        IBackend candidate = bound.Backend;
        using IBackend reference = BackendsUnderTest.Reference();
        var random = new Random(3);
        // LARS and LAMB run per layer: TrustRatioStepTests
        foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>().Where(k => !OptimizerStep.IsLayerwise(k)))
        {
            foreach (int n in bound.Sizes.OptimizerLengths)
            {
                foreach ((long t, double weightDecay) in new[] { (1L, 0.0), (7L, 0.01) })
                {
                    double product = 1;
                    OptimizerStep step = default;
                    for (long i = 1; i <= t; i++)
                    {
                        step = OptimizerStep.Create(kind, 0.01, 0.9, 0.9, 0.999, 1e-8, weightDecay, i, ref product);
                    }
                    float[] grad = Host.Random(random, n), theta = Host.Random(random, n);
                    float[] state = Host.Random(random, OptimizerStep.StateSlots(kind) * n);
                    if (t == 1)
                    {
                        Array.Clear(state);
                    }
                    // slots that hold sums of squares are never negative
                    int squares = kind is OptimizerKind.Adagrad or OptimizerKind.RmsProp ? 0
                        : kind is OptimizerKind.Adam or OptimizerKind.Nadam ? n : state.Length;
                    for (int i = squares; i < state.Length; i++)
                    {
                        state[i] = Math.Abs(state[i]) * 0.01f;
                    }
                    var r = Optimize(reference, step, grad, theta, state);
                    var c = Optimize(candidate, step, grad, theta, state);
                    try
                    {
                        Expect.Optimizer(step, grad, theta, state, c, r);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        throw new Xunit.Sdk.XunitException($"{kind} n={n} t={t} wd={weightDecay}: {e.Message}");
                    }
                }
            }
        }
    }

    private static (float[] Theta, float[] State) Optimize(IBackend backend, in OptimizerStep step, float[] grad,
        float[] theta, float[] state)
    {
        using FloatBuffer G = Host.Upload(backend, grad), P = Host.Upload(backend, theta);
        using FloatBuffer S = backend.Allocate(Math.Max(state.Length, 1));
        BufferView stateView = state.Length == 0 ? BufferView.Empty : S.All;
        if (state.Length > 0)
        {
            backend.Upload(state, stateView);
        }
        backend.OptimizerStep(G.All, step, P.All, stateView);
        return (Host.Download(backend, P.All), state.Length == 0 ? [] : Host.Download(backend, stateView));
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void FillSetsTheViewAndNothingElse(string name)
    {
        IBackend candidate = BackendsUnderTest.Get(name).Backend;
        float[] before = [.. Enumerable.Range(0, 37).Select(i => (float)i)];
        using FloatBuffer buffer = Host.Upload(candidate, before);
        candidate.Fill(float.NaN, buffer.Slice(3, 33));
        float[] after = Host.Download(candidate, buffer.All);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(i is >= 3 and < 36 ? float.NaN : before[i], after[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void GatherRowsCopiesTheIndexedRows(string name)
    {
        BackendUnderTest bound = BackendsUnderTest.Get(name);
        IBackend candidate = bound.Backend;
        var random = new Random(4);
        foreach ((int sourceRows, int rowLength, int rows) in bound.Sizes.Gathers)
        {
            float[] source = Host.Random(random, sourceRows * rowLength);
            int[] index = [.. Enumerable.Range(0, rows + 2).Select(_ => random.Next(sourceRows))];
            using FloatBuffer S = Host.Upload(candidate, source), D = candidate.Allocate(rows * rowLength);
            using IndexBuffer I = candidate.AllocateIndices(index.Length);
            candidate.UploadIndices(index, I);
            candidate.GatherRows(S.All, rowLength, I, 2, rows, D.All);
            float[] result = Host.Download(candidate, D.All);
            for (int r = 0; r < rows; r++)
            {
                Assert.Equal(source.AsSpan(index[2 + r] * rowLength, rowLength).ToArray(),
                    result.AsSpan(r * rowLength, rowLength).ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void GatherRowsRejectsAnIndexOutsideTheSource(string name)
    {
        IBackend candidate = BackendsUnderTest.Get(name).Backend;
        using FloatBuffer S = candidate.Allocate(6), D = candidate.Allocate(3);
        using IndexBuffer I = candidate.AllocateIndices(1);
        candidate.UploadIndices([2], I);
        Assert.Throws<ArgumentOutOfRangeException>(() => candidate.GatherRows(S.All, 3, I, 0, 1, D.All));
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void WrongShapesAreRejected(string name)
    {
        IBackend candidate = BackendsUnderTest.Get(name).Backend;
        using FloatBuffer x = candidate.Allocate(6), w = candidate.Allocate(6), a = candidate.Allocate(5);
        Assert.Throws<ArgumentException>(() =>
            candidate.DenseForward(x.All, w.All, BufferView.Empty, 2, 3, 2, Activation.Relu, a.All));
    }
}
