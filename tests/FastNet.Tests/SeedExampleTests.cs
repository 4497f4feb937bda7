using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests;

/// <summary>
/// The worked examples of the seeds, reproduced on every backend. The seeds' δ is −∂E/∂net (they add η·δ·x), the
/// opposite sign of FastNet's dZ. Figures are compared to the precision printed: within one unit of the last printed
/// digit. Seed 000 computes with rounded intermediates (y3 = 0.68, y5 = 0.69, δ5 = −0.0406 where the exact value is
/// −0.04068); where a printed figure was computed from δ5, the allowance adds that rounding's effect (see the tests).
/// </summary>
public class SeedExampleTests
{
    // Seed 000: 2-2-1, no biases, sigmoid, η = 1, x = (0.35, 0.9), target 0.5.
    private static Model.Model Seed000Model()
    {
        var spec = new NetworkSpec(2, [new LayerSpec(2, Activation.Sigmoid, false), new LayerSpec(1, Activation.Sigmoid, false)]);
        var model = new Model.Model(spec, new float[spec.ParameterCount]);
        // hidden unit 3 is unit 0, unit 4 is unit 1; inputs x1, x2 are 0, 1
        model.Weight(0, 0, 0) = 0.1f; // w13
        model.Weight(0, 0, 1) = 0.8f; // w23
        model.Weight(0, 1, 0) = 0.4f; // w14
        model.Weight(0, 1, 1) = 0.6f; // w24
        model.Weight(1, 0, 0) = 0.3f; // w35
        model.Weight(1, 0, 1) = 0.9f; // w45
        return model;
    }

    // Seed 002: 2-2-2 with biases b1 = 0.25 (both hidden units) and b2 = 0.35 (both outputs), η = 0.6.
    private static Model.Model Seed002Model()
    {
        var spec = new NetworkSpec(2, [new LayerSpec(2, Activation.Sigmoid), new LayerSpec(2, Activation.Sigmoid)]);
        var model = new Model.Model(spec, new float[spec.ParameterCount]);
        model.Weight(0, 0, 0) = 0.1f; // w1: i1 → h1
        model.Weight(0, 1, 0) = 0.2f; // w2: i1 → h2
        model.Weight(0, 0, 1) = 0.3f; // w3: i2 → h1
        model.Weight(0, 1, 1) = 0.4f; // w4: i2 → h2
        model.Weight(1, 0, 0) = 0.5f; // w5: h1 → o1
        model.Weight(1, 0, 1) = 0.6f; // w6: h2 → o1
        model.Weight(1, 1, 0) = 0.7f; // w7: h1 → o2
        model.Weight(1, 1, 1) = 0.8f; // w8: h2 → o2
        model.Bias(0, 0) = model.Bias(0, 1) = 0.25f;
        model.Bias(1, 0) = model.Bias(1, 1) = 0.35f;
        return model;
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void Seed000ForwardDeltasUpdatedWeightsAndSecondForwardPass(string backendName)
    {
        using IBackend backend = Backends.Create(backendName);
        using var network = new TrainingNetwork(backend, Seed000Model(), LossKind.HalfSquaredError,
            new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 1 }, maxBatch: 1);
        using FloatBuffer x = Upload(backend, [0.35f, 0.9f]);
        using FloatBuffer t = Upload(backend, [0.5f]);

        network.TrainBatch(x.All, t.All, 1);

        float[] hidden = Download(backend, network.Activations(0));
        float[] output = Download(backend, network.Activations(1));
        AssertPrinted(0.68, hidden[0], 2);   // y3
        AssertPrinted(0.6637, hidden[1], 4); // y4
        AssertPrinted(0.69, output[0], 2);   // y5
        float[] dOut = Download(backend, network.Deltas(1));
        float[] dHidden = Download(backend, network.Deltas(0));
        AssertPrinted(-0.0406, -dOut[0], 4);     // δ5
        AssertPrinted(-0.00265, -dHidden[0], 5); // δ3
        AssertPrinted(-0.0082, -dHidden[1], 4);  // δ4

        Model.Model updated = network.ToModel();
        AssertPrinted(0.0991, updated.Weight(0, 0, 0), 4); // w13
        AssertPrinted(0.7976, updated.Weight(0, 0, 1), 4); // w23
        AssertPrinted(0.3971, updated.Weight(0, 1, 0), 4); // w14
        AssertPrinted(0.5926, updated.Weight(0, 1, 1), 4); // w24
        // Δw35 and Δw45 were computed from δ5 = −0.0406 instead of −0.04068: that shifts them by up to
        // 0.00008 × 0.68 < 0.00006 beyond the printed rounding (0.8731 is 0.9 − 0.0406 × 0.6637 = 0.87305 rounded up).
        AssertPrinted(0.2724, updated.Weight(1, 0, 0), 4, extra: 0.00006); // w35
        AssertPrinted(0.8731, updated.Weight(1, 0, 1), 4, extra: 0.00006); // w45

        network.Forward(x.All, 1);
        AssertPrinted(0.6820, Download(backend, network.Activations(1))[0], 4);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void Seed002TotalErrorAndUpdatedWeightsWithFixedBiases(string backendName)
    {
        using IBackend backend = Backends.Create(backendName);
        // The seed leaves b1 and b2 unchanged: FastNet models that by training the weights only.
        using var network = new TrainingNetwork(backend, Seed002Model(), LossKind.HalfSquaredError,
            new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.6 }, maxBatch: 1, trainBiases: false);
        using FloatBuffer x = Upload(backend, [0.1f, 0.5f]);
        using FloatBuffer t = Upload(backend, [0.05f, 0.95f]);

        network.TrainBatch(x.All, t.All, 1);

        (double loss, _) = network.TakeMetrics();
        AssertPrinted(0.24908, loss, 5); // E_total, the example's half squared error
        float[] output = Download(backend, network.Activations(1));
        AssertPrinted(0.73492, output[0], 5);
        AssertPrinted(0.77955, output[1], 5);

        Model.Model updated = network.ToModel();
        AssertPrinted(0.45187, updated.Weight(1, 0, 0), 5); // w5
        AssertPrinted(0.55073, updated.Weight(1, 0, 1), 5); // w6
        AssertPrinted(0.71056, updated.Weight(1, 1, 0), 5); // w7
        AssertPrinted(0.81081, updated.Weight(1, 1, 1), 5); // w8
        AssertPrinted(0.09933, updated.Weight(0, 0, 0), 5); // w1
        AssertPrinted(0.19919, updated.Weight(0, 1, 0), 5); // w2
        AssertPrinted(0.29667, updated.Weight(0, 0, 1), 5); // w3
        AssertPrinted(0.39597, updated.Weight(0, 1, 1), 5); // w4
        Assert.Equal(0.25f, updated.Bias(0, 0));
        Assert.Equal(0.25f, updated.Bias(0, 1));
        Assert.Equal(0.35f, updated.Bias(1, 0));
        Assert.Equal(0.35f, updated.Bias(1, 1));
    }

    /// <summary>Within one unit of the last of <paramref name="decimals"/> printed digits (plus a documented extra).</summary>
    internal static void AssertPrinted(double printed, double actual, int decimals, double extra = 0)
    {
        double unit = Math.Pow(10, -decimals);
        Assert.True(Math.Abs(actual - printed) <= unit + extra,
            $"expected {printed} (±{unit + extra}), got {actual}");
    }

    private static FloatBuffer Upload(IBackend backend, float[] values)
    {
        FloatBuffer buffer = backend.Allocate(values.Length);
        backend.Upload(values, buffer.All);
        return buffer;
    }

    private static float[] Download(IBackend backend, BufferView view)
    {
        float[] values = new float[view.Length];
        backend.Download(view, values);
        return values;
    }
}
