using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>Same inputs, same bits, on every backend: run after run, and on a second instance where one is cheap to
/// make.</summary>
[Collection(BackendsUnderTest.Collection)]
public class DeterminismTests
{
    public static TheoryData<string> Candidates => BackendsUnderTest.LayerCandidates;

    [Theory]
    [MemberData(nameof(Candidates))]
    public void SameInputsGiveBitIdenticalResults(string name)
    {
        BackendUnderTest bound = BackendsUnderTest.Get(name);
        float[] first = Run(bound.Backend, bound.Sizes.Determinism);
        Assert.Equal(first, Run(bound.Backend, bound.Sizes.Determinism));
        if (bound.CreateAnother is { } create)
        {
            using IBackend second = create();
            Assert.Equal(first, Run(second, bound.Sizes.Determinism));
        }
    }

    // forward, loss, backward with dX and an Adam step on a shape that splits over threads and k-blocks (the CPU
    // sizes' 1100 inputs take more than one at every SIMD width; tiles on a GPU); the gradient is returned too: Adam's
    // first step moves each parameter by about lr · sign(g), so the updated parameters alone hide most last-bit
    // changes in dW and db
    internal static float[] Run(IBackend backend, (int Batch, int Inputs, int Outputs) shape)
    {
        (int batch, int inputs, int outputs) = shape;
        var random = new Random(6);
        using FloatBuffer x = Host.Upload(backend, Host.Random(random, batch * inputs));
        using FloatBuffer p = Host.Upload(backend, Host.Random(random, inputs * outputs + outputs, 0.05));
        using FloatBuffer t = Host.Upload(backend, Host.Random(random, batch * outputs));
        using FloatBuffer g = backend.Allocate(inputs * outputs + outputs), s = backend.Allocate(2 * g.Length);
        using FloatBuffer a = backend.Allocate(batch * outputs), d = backend.Allocate(batch * outputs);
        using FloatBuffer dx = backend.Allocate(batch * inputs), m = backend.Allocate(2);
        BufferView w = p.Slice(0, inputs * outputs), b = p.Slice(inputs * outputs, outputs);
        BufferView dw = g.Slice(0, inputs * outputs), db = g.Slice(inputs * outputs, outputs);
        backend.DenseForward(x.All, w, b, batch, inputs, outputs, Activation.Tanh, a.All);
        backend.Loss(a.All, t.All, batch, outputs, LossKind.MeanSquaredError, d.All, m.All);
        backend.DenseBackward(x.All, w, a.All, batch, inputs, outputs, Activation.Tanh, d.All, dw, db, dx.All);
        double product = 1;
        backend.OptimizerStep(g.All, OptimizerStep.Create(OptimizerKind.Adam, 1e-3, 0, 0.9, 0.999, 1e-8, 0, 1,
            ref product), p.All, s.All);
        return [.. Host.Download(backend, p.All), .. Host.Download(backend, g.All), .. Host.Download(backend, dx.All),
            .. Host.Download(backend, m.All)];
    }
}
