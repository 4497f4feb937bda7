using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// LARS and LAMB beyond the per-backend formula checks: the SIMD step's bits do not depend on the thread count, a zero
/// norm takes the unadapted step, and the flat optimizer step refuses the layerwise rules.
/// </summary>
public class TrustRatioRuleTests
{
    public static TheoryData<OptimizerKind, VectorWidth> KindsAndWidths()
    {
        var data = new TheoryData<OptimizerKind, VectorWidth>();
        foreach (VectorWidth width in VectorWidths.Available)
        {
            data.Add(OptimizerKind.Lars, width);
            data.Add(OptimizerKind.Lamb, width);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndWidths))]
    public void TheSimdStepIsBitForBitTheSameOnAnyThreadCountAndEveryRun(OptimizerKind kind, VectorWidth width)
    {
        // long enough to run on several threads, with a partial last block and a partial last vector
        const int n = 150_003;
        var random = new Random(11);
        float[] w = [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[][] g = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray())];
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3, 1 })
        {
            using var backend = SimdBackend.Create(threads, width);
            float[] result = ThreeSteps(backend, kind, w, g);
            first ??= result;
            Assert.True(first.AsSpan().SequenceEqual(result), $"{kind} {width}: {threads} threads differ from 1");
        }
    }

    // w after three steps (weights, λ = 0.01), then m and v, as one array
    private static float[] ThreeSteps(IBackend backend, OptimizerKind kind, float[] w, float[][] g)
    {
        int n = w.Length;
        using FloatBuffer wBuffer = backend.Allocate(n), gBuffer = backend.Allocate(n), m = backend.Allocate(n), v = backend.Allocate(n);
        backend.Upload(w, wBuffer.All);
        backend.Fill(0, m.All);
        backend.Fill(0, v.All);
        double product = 1;
        for (int t = 1; t <= g.Length; t++)
        {
            backend.Upload(g[t - 1], gBuffer.All);
            OptimizerStep step = OptimizerStep.Create(kind, 0.5, kind == OptimizerKind.Lars ? 0.9 : 0, 0.9, 0.999, 1e-6,
                0.01, t, ref product);
            step = step with { TrustCoefficient = 1e-3 };
            backend.TrustRatioStep(gBuffer.All, step, wBuffer.All, m.All, kind == OptimizerKind.Lamb ? v.All : BufferView.Empty, adapt: true);
        }
        float[] all = new float[3 * n];
        backend.Download(wBuffer.All, all.AsSpan(0, n));
        backend.Download(m.All, all.AsSpan(n, n));
        backend.Download(v.All, all.AsSpan(2 * n, n));
        return all;
    }

    [Fact]
    public void ZeroWeightsTakeTheUnadaptedStep()
    {
        // ‖w‖ = 0: ρ = 1, so the first step equals the bias step (momentum SGD, Adam) except for the weight decay term,
        // which is zero on zero weights.
        float[] g = [0.1f, -0.2f, 0.3f];
        foreach (OptimizerKind kind in new[] { OptimizerKind.Lars, OptimizerKind.Lamb })
        {
            var adapted = TrustRatioFormula.Expected(kind, 1, g, new float[3], new float[3], new float[3], true, 0.01);
            var plain = TrustRatioFormula.Expected(kind, 1, g, new float[3], new float[3], new float[3], false, 0.01);
            Assert.Equal(1, adapted.Ratio);
            Assert.Equal(plain.W, adapted.W);
        }
    }

    [Fact]
    public void TheFlatOptimizerStepRefusesLayerwiseRules()
    {
        using IBackend backend = BackendsUnderTest.Reference();
        using FloatBuffer p = backend.Allocate(3), g = backend.Allocate(3), s = backend.Allocate(6);
        double product = 1;
        OptimizerStep step = OptimizerStep.Create(OptimizerKind.Lamb, 1e-3, 0, 0.9, 0.999, 1e-6, 0, 1, ref product);
        var e = Assert.Throws<ArgumentException>(() => backend.OptimizerStep(g.All, step, p.All, s.All));
        Assert.Contains(nameof(IBackend.TrustRatioStep), e.Message, StringComparison.Ordinal);
    }
}
