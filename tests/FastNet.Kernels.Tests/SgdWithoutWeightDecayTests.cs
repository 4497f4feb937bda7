using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// Plain SGD with no weight decay: the SIMD backend leaves the decay term out (θ − η·g instead of θ − η·(g + 0·θ)),
/// which must give the bits of the formula with the term for every finite θ, zeros of either sign, subnormals and
/// the extremes included, in the optimizer pass and in the per-example sweeps that fuse the step with the backward
/// pass (and with the next example's forward pass).
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class SgdWithoutWeightDecayTests
{
    private static readonly float[] Parameters =
        [0f, -0f, float.Epsilon, -float.Epsilon, 1.5f, -2.25f, 3e-39f, float.MaxValue, -float.MaxValue, 0.1f, -7e5f];

    private static readonly float[] Gradients =
        [0f, -0f, float.Epsilon, -float.Epsilon, -3f, 7.5f, 1e-30f, float.PositiveInfinity, float.NegativeInfinity,
            float.NaN, 6e37f, -0.2f];

    public static TheoryData<string> Candidates =>
        [.. BackendsUnderTest.Names.Where(n => n.StartsWith("simd", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(Candidates))]
    public void TheOptimizerPassGivesTheBitsOfTheFormulaWithTheTerm(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        // every parameter with every gradient
        float[] theta = [.. Parameters.SelectMany(t => Gradients.Select(_ => t))];
        float[] grad = [.. Parameters.SelectMany(_ => Gradients)];
        foreach (double lr in new[] { 0.3, 1, 0 })
        {
            using FloatBuffer g = Host.Upload(backend, grad), p = Host.Upload(backend, theta);
            backend.OptimizerStep(g.All, Step(lr), p.All, BufferView.Empty);
            float[] expected = [.. theta.Select((t, i) => WithTheTerm(t, grad[i], (float)lr))];
            Expect.BitIdentical(expected, Host.Download(backend, p.All), $"{name} η {lr}");
        }
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void ThePerExampleSweepsGiveTheBitsOfTheFormulaWithTheTerm(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        // a vector and a tail, a row count that leaves two rows past the sweep's blocks of four, and a layer split
        // into several chunks of rows
        foreach ((int inputs, int outputs) in new[] { (42, 9), (784, 128) })
        {
            float[] x = Cycle(Gradients.Where(float.IsFinite).ToArray(), inputs, 5);
            float[] delta = Cycle(Gradients, outputs, 2);
            float[] w = Cycle(Parameters, inputs * outputs, 3);
            float[] expected = new float[w.Length];
            for (int i = 0; i < inputs; i++)
            {
                for (int j = 0; j < outputs; j++)
                {
                    int e = (i * outputs) + j;
                    expected[e] = WithTheTerm(w[e], x[i] * delta[j], 0.3f);
                }
            }
            string what = $"{name} {inputs}→{outputs}";
            Expect.BitIdentical(expected, Sweep(backend, x, delta, w, inputs, outputs, thenForward: false), what);
            Expect.BitIdentical(expected, Sweep(backend, x, delta, w, inputs, outputs, thenForward: true),
                $"{what}, then the next example's forward pass");
        }
    }

    // main's SGD rule, the decay term's multiply-add included, in scalar float32
    private static float WithTheTerm(float theta, float gradient, float lr) =>
        theta - (lr * MathF.FusedMultiplyAdd(0f, theta, gradient));

    private static OptimizerStep Step(double lr)
    {
        double product = 1;
        return OptimizerStep.Create(OptimizerKind.Sgd, lr, 0, 0, 0, 0, 0, 1, ref product);
    }

    // values[(start + i·7) mod n]: every value meets every other in a row and a column
    private static float[] Cycle(float[] values, int length, int start) =>
        [.. Enumerable.Range(0, length).Select(i => values[(start + (i * 7)) % values.Length])];

    // the weights after one fused step of the identity layer (dZ = delta), alone or followed by a forward pass
    private static float[] Sweep(IBackend backend, float[] x, float[] delta, float[] w, int inputs, int outputs,
        bool thenForward)
    {
        using FloatBuffer X = Host.Upload(backend, x), D = Host.Upload(backend, delta), W = Host.Upload(backend, w);
        using FloatBuffer A = backend.Allocate(outputs), dW = backend.Allocate(inputs * outputs);
        using FloatBuffer next = Host.Upload(backend, new float[inputs]);
        if (thenForward)
        {
            backend.DenseBackwardSgdStepThenForward(X.All, D.All, Step(0.3), dW.All, BufferView.Empty, next.All,
                W.All, BufferView.Empty, inputs, outputs, Activation.Identity, A.All);
        }
        else
        {
            backend.DenseBackwardSgdStep(X.All, A.All, 1, inputs, outputs, Activation.Identity, D.All,
                BufferView.Empty, Step(0.3), W.All, BufferView.Empty, dW.All, BufferView.Empty);
        }
        return Host.Download(backend, W.All);
    }
}
