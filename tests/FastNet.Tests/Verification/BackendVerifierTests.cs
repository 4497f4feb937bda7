using FastNet.Kernels;
using FastNet.Kernels.Reference;
using FastNet.Model;
using FastNet.Training;
using FastNet.Verification;
using Xunit;

namespace FastNet.Tests.Verification;

public class BackendVerifierTests
{
    /// <summary>The reference with its activations nudged by <paramref name="relative"/> (a stand-in for a subtly
    /// wrong fast backend).</summary>
    private sealed class NudgedBackend(double relative, int ulps) : ReferenceBackend
    {
        public override string Name => "nudged";

        public override void DenseForward(BufferView x, BufferView w, BufferView b, int batch, int inputs, int outputs,
            Activation activation, BufferView a, BufferView z = default)
        {
            base.DenseForward(x, w, b, batch, inputs, outputs, activation, a, z);
            float[] values = new float[a.Length];
            Download(a, values);
            for (int e = 0; e < values.Length; e++)
            {
                float v = (float)(values[e] * (1 + relative));
                for (int u = 0; u < ulps; u++)
                {
                    v = MathF.BitIncrement(v);
                }
                values[e] = v;
            }
            Upload(values, a);
        }
    }

    /// <summary>The reference with a fused per-example SGD step that forgets the weight decay.</summary>
    private sealed class FusedWithoutDecayBackend : ReferenceBackend
    {
        public override string Name => "fused-without-decay";

        public override void DenseBackwardSgdStep(BufferView x, BufferView a, int batch, int inputs, int outputs,
            Activation activation, BufferView delta, BufferView dX, in OptimizerStep step, BufferView w, BufferView b,
            BufferView dW, BufferView db, BufferView z = default) =>
            base.DenseBackwardSgdStep(x, a, batch, inputs, outputs, activation, delta, dX, step with { WeightDecay = 0 },
                w, b, dW, db, z);
    }

    /// <summary>The reference whose fused step-then-forward ops take ten times the learning rate: each disagrees with
    /// its own composition of the ops compared one by one.</summary>
    private sealed class FusedForwardOffBackend : ReferenceBackend
    {
        public override string Name => "fused-forward-off";

        public override void SgdStepThenDenseForward(BufferView dW, in OptimizerStep step, BufferView x, BufferView w,
            BufferView b, int batch, int inputs, int outputs, Activation activation, BufferView a, BufferView z = default) =>
            base.SgdStepThenDenseForward(dW, step with { LearningRate = step.LearningRate * 10 }, x, w, b, batch, inputs,
                outputs, activation, a, z);

        public override void DenseBackwardSgdStepThenForward(BufferView xPrevious, BufferView delta, in OptimizerStep step,
            BufferView dW, BufferView db, BufferView x, BufferView w, BufferView b, int inputs, int outputs,
            Activation activation, BufferView a, BufferView z = default) =>
            base.DenseBackwardSgdStepThenForward(xPrevious, delta, step with { LearningRate = step.LearningRate * 10 }, dW,
                db, x, w, b, inputs, outputs, activation, a, z);
    }

    /// <summary>The reference counting one correct prediction too many per batch (accuracy off, loss right).</summary>
    private sealed class MiscountingBackend : ReferenceBackend
    {
        public override string Name => "miscounting";

        public override void Loss(BufferView output, BufferView targets, int batch, int outputs, LossKind loss,
            BufferView dOutput, BufferView metrics, int meanOver = 0)
        {
            base.Loss(output, targets, batch, outputs, loss, dOutput, metrics, meanOver);
            float[] sums = new float[2];
            Download(metrics, sums);
            sums[1] += 1;
            Upload(sums, metrics);
        }
    }

    /// <summary>The reference drawing its dropout masks one step late (a stand-in for a backend whose generator
    /// differs).</summary>
    private sealed class WrongMaskBackend : ReferenceBackend
    {
        public override string Name => "wrong-mask";

        public override void Dropout(BufferView source, in DropoutMask mask, BufferView destination) =>
            base.Dropout(source, mask with { Stream = mask.Stream + 1 }, destination);
    }

    [Fact]
    public void DropoutIsComparedOpByOpForwardAndBackward()
    {
        var spec = new NetworkSpec(5, [new LayerSpec(9, Activation.Tanh), new LayerSpec(7, Activation.Gelu),
            new LayerSpec(3, Activation.Identity)]);
        Model.Model model = new Initializer(InitializerKind.He).Create(spec, new SeededRandom(3));
        List<(float[], float[], int)> batches = FourRowsThenOne();
        var settings = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.5 };
        var dropout = new DropoutRates([0.5, 0.25], 4);
        foreach (BackendDescriptor descriptor in Backends.Available)
        {
            var verifier = new BackendVerifier(model, LossKind.SoftmaxCrossEntropy, settings, dropout);
            using var reference = new ReferenceBackend();
            using IBackend candidate = descriptor.Create();
            verifier.Run(reference, candidate, batches);
            Assert.True(verifier.Passed, string.Join("; ", verifier.Results.Where(d => !d.Passed)));
            // every element of both batches (4 rows, then 1), forward and backward
            foreach ((string layer, int units) in new[] { ("layer 1", 9), ("layer 2", 7) })
            {
                Assert.Contains(verifier.Results, d => d.Layer == layer && d.Quantity == "dropout" && d.Count == 5 * units);
                Assert.Contains(verifier.Results, d => d.Layer == layer && d.Quantity == "dropout dA" && d.Count == 5 * units);
            }
        }

        var wrong = new BackendVerifier(model, LossKind.SoftmaxCrossEntropy, settings, dropout);
        using (var reference = new ReferenceBackend())
        using (var candidate = new WrongMaskBackend())
        {
            wrong.Run(reference, candidate, batches);
        }
        Assert.False(wrong.Passed);
        Assert.All(wrong.Results.Where(d => !d.Passed), d => Assert.StartsWith("dropout", d.Quantity, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gelu")]
    [InlineData("gelu-tanh")]
    [InlineData("leaky-relu:0.1")]
    public void TheNewActivationsPassVerificationOpByOpIncludingTheFusedStep(string activation)
    {
        Activation hidden = Names.ParseActivation(activation);
        var spec = new NetworkSpec(5, [new LayerSpec(9, hidden), new LayerSpec(7, hidden),
            new LayerSpec(3, Activation.Identity)]);
        Model.Model model = new Initializer(InitializerKind.He).Create(spec, new SeededRandom(3));
        List<(float[], float[], int)> batches = FourRowsThenOne();
        var settings = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.5 };
        foreach (string name in new[] { "simd", "reference" })
        {
            var verifier = new BackendVerifier(model, LossKind.SoftmaxCrossEntropy, settings);
            using var reference = new ReferenceBackend();
            using IBackend candidate = Backends.Create(name);
            verifier.Run(reference, candidate, batches);
            Assert.True(verifier.Passed, string.Join("; ", verifier.Results.Where(d => !d.Passed)));
            Assert.Contains(verifier.Results, d => d.Quantity == "W after fused step");
        }
    }

    [Fact]
    public void PerExampleSgdChecksTheFusedStepItTrainsWith()
    {
        var spec = new NetworkSpec(5, [new LayerSpec(7, Activation.Tanh), new LayerSpec(3, Activation.Identity)]);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(2));
        var random = new SeededRandom(8);
        List<(float[], float[], int)> batches = [.. Enumerable.Range(0, 2).Select(r =>
            ((float[])[.. Enumerable.Range(0, 5).Select(_ => (float)random.NextDouble(-1, 1))],
             FastNet.Data.Dataset.OneHot([r], 3), 1))];
        var settings = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.5, WeightDecay = 0.1 };

        var honest = new BackendVerifier(model, LossKind.SoftmaxCrossEntropy, settings);
        using (var reference = new ReferenceBackend())
        using (var candidate = new ReferenceBackend())
        {
            honest.Run(reference, candidate, batches);
        }
        Assert.True(honest.Passed);
        Assert.Contains(honest.Results, d => d.Quantity == "W after fused step");
        Assert.Contains(honest.Results, d => d.Quantity == "dX of fused step");

        var wrong = new BackendVerifier(model, LossKind.SoftmaxCrossEntropy, settings);
        using (var reference = new ReferenceBackend())
        using (var candidate = new FusedWithoutDecayBackend())
        {
            wrong.Run(reference, candidate, batches);
        }
        Assert.False(wrong.Passed);
        Assert.All(wrong.Results.Where(d => !d.Passed), d => Assert.EndsWith("after fused step", d.Quantity, StringComparison.Ordinal));
    }

    // the first layer of an SGD run trains through these fused ops (a batch's pending step, or per example the
    // backward step left until the next forward pass): each is held to its composition, bit for bit
    [Theory]
    [InlineData(1, new[] { "bwd, step, forward", "step then forward" })]
    [InlineData(4, new[] { "step then forward" })]
    public void SgdChecksTheFusedStepThenForwardOpsAgainstTheirComposition(int rows, string[] failing)
    {
        var spec = new NetworkSpec(5, [new LayerSpec(7, Activation.Tanh), new LayerSpec(3, Activation.Identity)]);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(2));
        var random = new SeededRandom(8);
        List<(float[], float[], int)> batches = [.. Enumerable.Range(0, 2).Select(r =>
            ((float[])[.. Enumerable.Range(0, rows * 5).Select(_ => (float)random.NextDouble(-1, 1))],
             FastNet.Data.Dataset.OneHot([.. Enumerable.Range(0, rows).Select(i => (r + i) % 3)], 3), rows))];
        var settings = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.5 };

        var honest = new BackendVerifier(model, LossKind.SoftmaxCrossEntropy, settings);
        using (var reference = new ReferenceBackend())
        using (var candidate = new ReferenceBackend())
        {
            honest.Run(reference, candidate, batches);
        }
        var wrong = new BackendVerifier(model, LossKind.SoftmaxCrossEntropy, settings);
        using (var reference = new ReferenceBackend())
        using (var candidate = new FusedForwardOffBackend())
        {
            wrong.Run(reference, candidate, batches);
        }

        Assert.True(honest.Passed);
        Assert.All(failing, quantity => Assert.Contains(honest.Results, d => d.Quantity == quantity));
        Assert.False(wrong.Passed);
        Assert.Equal(failing, wrong.Results.Where(d => !d.Passed).Select(d => d.Quantity).Distinct().Order());
    }

    [Fact]
    public void TheCountOfCorrectPredictionsIsComparedExactly()
    {
        (BackendVerifier verifier, List<(float[], float[], int)> batches) = Setup();
        using (var reference = new ReferenceBackend())
        using (var candidate = new MiscountingBackend())
        {
            verifier.Run(reference, candidate, batches);
        }

        Assert.False(verifier.Passed);
        Assert.Equal(["correct"], verifier.Results.Where(d => !d.Passed).Select(d => d.Quantity));
    }

    private static (BackendVerifier Verifier, List<(float[], float[], int)> Batches) Setup()
    {
        var spec = new NetworkSpec(5, [new LayerSpec(7, Activation.Sigmoid), new LayerSpec(3, Activation.Identity)]);
        Model.Model model = new Initializer(InitializerKind.Xavier).Create(spec, new SeededRandom(2));
        var random = new SeededRandom(8);
        var batches = Enumerable.Range(0, 2).Select(_ =>
        {
            float[] x = [.. Enumerable.Range(0, 4 * 5).Select(_ => (float)random.NextDouble(-1, 1))];
            float[] t = FastNet.Data.Dataset.OneHot([0, 2, 1, 2], 3);
            return (x, t, 4);
        }).ToList();
        return (new BackendVerifier(model, LossKind.SoftmaxCrossEntropy, new OptimizerSettings { Kind = OptimizerKind.Adam }), batches);
    }

    [Fact]
    public void AnOffByOneUlpBackendPasses()
    {
        (BackendVerifier verifier, var batches) = Setup();
        using var reference = new ReferenceBackend();
        using var candidate = new NudgedBackend(0, 1);
        verifier.Run(reference, candidate, batches);
        Assert.True(verifier.Passed);
        Assert.Contains(verifier.Results, d => d.Quantity == "activations" && d.MaxAbsolute > 0);
    }

    [Fact]
    public void ABackendWrongInTheFourthDigitFailsAtTheLayerItGetsWrong()
    {
        (BackendVerifier verifier, var batches) = Setup();
        using var reference = new ReferenceBackend();
        using var candidate = new NudgedBackend(1e-4, 0);
        verifier.Run(reference, candidate, batches);
        Assert.False(verifier.Passed);
        Assert.All(verifier.Results.Where(d => !d.Passed), d => Assert.Equal("activations", d.Quantity));
        Assert.Contains(verifier.Results, d => d.Layer == "layer 1" && d.Quantity == "activations" && !d.Passed);
        Assert.Contains(verifier.Results, d => d.Quantity == "dW" && d.Passed);
    }

    // a batch of 4 rows, then one of 1, of a 5-input, 3-class network: inputs in [-2, 2), classes in turn
    private static List<(float[], float[], int)> FourRowsThenOne()
    {
        var random = new SeededRandom(9);
        return [.. new[] { 4, 1 }.Select(rows =>
            ((float[])[.. Enumerable.Range(0, 5 * rows).Select(_ => (float)random.NextDouble(-2, 2))],
             FastNet.Data.Dataset.OneHot([.. Enumerable.Range(0, rows).Select(r => r % 3)], 3), rows))];
    }
}
