using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// Softmax cross-entropy over fewer outputs than one vector (10 classes at 16 lanes) takes its float64 exponentials
/// in one vector but keeps every other operation of the scalar loop in the scalar loop's order, so its loss, accuracy
/// and gradient must be the scalar width's bits: training figures printed before and after the vector tail agree.
/// Logits up to 60 apart put some exponentials near float32's underflow, where a rounding difference would show.
/// </summary>
public class SimdCrossEntropyTailTests
{
    [Fact]
    public void ALossNarrowerThanAVectorHasTheScalarWidthsBits()
    {
        using var scalar = SimdBackend.Create(1, VectorWidth.Scalar);
        var random = new Random(11);
        const int batch = 37;
        foreach (VectorWidth width in VectorWidths.Available.Where(w => w != VectorWidth.Scalar))
        {
            using var simd = SimdBackend.Create(2, width);
            for (int outputs = 1; outputs < (int)width / 32; outputs++)
            {
                foreach (double spread in new[] { 8.0, 30.0 })
                {
                    float[] logits = Host.Random(random, batch * outputs, spread);
                    float[] targets = Targets(random, batch, outputs);
                    (float[] dExpected, float[] mExpected) = Loss(scalar, logits, targets, batch, outputs);
                    (float[] dActual, float[] mActual) = Loss(simd, logits, targets, batch, outputs);
                    string where = $"{width}, {outputs} outputs, logits ±{spread}";
                    Assert.True(dExpected.SequenceEqual(dActual), $"{where}: the gradient differs from the scalar's");
                    Assert.True(mExpected.SequenceEqual(mActual), $"{where}: the loss or accuracy differs");
                }
            }
        }
    }

    /// <summary>
    /// Each row's own loss, as the scalar width sums it: the metric is a float total of the rows' losses, in which a
    /// row's last bit would be lost, so every row but one has no target (its loss is zero) and the total is that
    /// row's loss alone. Every row position is taken in turn, so every lane of the rows computed side by side, the
    /// pairs and the last single row.
    /// </summary>
    [Fact]
    public void EachRowsLossHasTheScalarWidthsBits()
    {
        using var scalar = SimdBackend.Create(1, VectorWidth.Scalar);
        var random = new Random(12);
        foreach (VectorWidth width in VectorWidths.Available.Where(w => w != VectorWidth.Scalar))
        {
            using var simd = SimdBackend.Create(2, width);
            int lanes = (int)width / 32, batch = (2 * lanes) + 3;
            foreach (int outputs in new[] { 1, lanes / 2, lanes - 1 })
            {
                float[] logits = Host.Random(random, batch * outputs, 30.0);
                float[] everyTarget = Targets(random, batch, outputs);
                for (int row = 0; row < batch; row++)
                {
                    float[] targets = new float[batch * outputs];
                    Array.Copy(everyTarget, row * outputs, targets, row * outputs, outputs);
                    float expected = Loss(scalar, logits, targets, batch, outputs).Metrics[0];
                    float actual = Loss(simd, logits, targets, batch, outputs).Metrics[0];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                        $"{width}, {outputs} outputs, row {row}: loss {actual:R}, the scalar width's {expected:R}");
                }
            }
        }
    }

    /// <summary>
    /// A row's prediction is the first of its largest outputs, as the reference's argmax: with the largest logit
    /// twice in each row and the target on one of the two at random, a row counts as correct exactly when its target
    /// is on the first.
    /// </summary>
    [Fact]
    public void ATiedPredictionIsTheFirstLargestOutput()
    {
        var random = new Random(13);
        foreach (VectorWidth width in VectorWidths.Available)
        {
            using var simd = SimdBackend.Create(2, width);
            int lanes = (int)width / 32, batch = (2 * lanes) + 3;
            for (int outputs = 2; outputs < Math.Max(3, lanes); outputs++)
            {
                float[] logits = Host.Random(random, batch * outputs, 1.0);
                float[] targets = new float[batch * outputs];
                int expected = 0;
                for (int r = 0; r < batch; r++)
                {
                    int first = random.Next(outputs - 1), second = random.Next(first + 1, outputs);
                    logits[(r * outputs) + first] = logits[(r * outputs) + second] = 2;
                    bool onFirst = random.Next(2) == 0;
                    targets[(r * outputs) + (onFirst ? first : second)] = 1;
                    expected += onFirst ? 1 : 0;
                }
                float correct = Loss(simd, logits, targets, batch, outputs).Metrics[1];
                Assert.True(correct == expected, $"{width}, {outputs} outputs: {correct} rows correct, not {expected}");
            }
        }
    }

    // one-hot rows, every third a probability vector
    private static float[] Targets(Random random, int batch, int outputs)
    {
        float[] t = new float[batch * outputs];
        for (int r = 0; r < batch; r++)
        {
            if (r % 3 == 2)
            {
                float[] p = [.. Enumerable.Range(0, outputs).Select(_ => (float)random.NextDouble() + 0.01f)];
                float sum = p.Sum();
                for (int k = 0; k < outputs; k++)
                {
                    t[(r * outputs) + k] = p[k] / sum;
                }
            }
            else
            {
                t[(r * outputs) + random.Next(outputs)] = 1;
            }
        }
        return t;
    }

    private static (float[] DOutput, float[] Metrics) Loss(IBackend backend, float[] logits, float[] targets,
        int batch, int outputs)
    {
        using FloatBuffer o = Host.Upload(backend, logits), t = Host.Upload(backend, targets);
        using FloatBuffer d = backend.Allocate(batch * outputs), m = Host.Upload(backend, [0, 0]);
        backend.Loss(o.All, t.All, batch, outputs, LossKind.SoftmaxCrossEntropy, d.All, m.All);
        return (Host.Download(backend, d.All), Host.Download(backend, m.All));
    }
}
