using System.Globalization;
using System.Text.RegularExpressions;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>The seeds' worked examples end to end through <c>fastnet train --init --data --save</c>.</summary>
public partial class SeedExamplesCliTests
{
    private const string Seed000Model = """
        { "format": "fastnet-model", "version": 1, "inputs": 2,
          "layers": [
            { "units": 2, "activation": "sigmoid", "weights": [[0.1, 0.8], [0.4, 0.6]] },
            { "units": 1, "activation": "sigmoid", "weights": [[0.3, 0.9]] } ] }
        """;

    private const string Seed002Model = """
        { "format": "fastnet-model", "version": 1, "inputs": 2,
          "layers": [
            { "units": 2, "activation": "sigmoid", "weights": [[0.1, 0.3], [0.2, 0.4]], "biases": [0.25, 0.25] },
            { "units": 2, "activation": "sigmoid", "weights": [[0.5, 0.6], [0.7, 0.8]], "biases": [0.35, 0.35] } ] }
        """;

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void Seed000ThroughTheCommandLine(string backend)
    {
        using var dir = new TempDirectory();
        string init = dir.Write("seed000.json", Seed000Model);
        string data = dir.Write("seed000.csv", "x1,x2,target\n0.35,0.9,0.5\n");
        string saved = dir.File("trained.json");

        CliRun run = CliRun.Of("train", "--backend", backend, "--init", init, "--data", data, "--targets", "1",
            "--loss", "half-squared-error", "--optimizer", "sgd", "--lr", "1", "--batch", "1", "--epochs", "1",
            "--shuffle", "false", "--save", saved);

        Assert.True(run.ExitCode == 0, run.ToString());
        Model.Model model = ModelJson.Read(saved);
        SeedExampleTests.AssertPrinted(0.0991, model.Weight(0, 0, 0), 4);
        SeedExampleTests.AssertPrinted(0.7976, model.Weight(0, 0, 1), 4);
        SeedExampleTests.AssertPrinted(0.3971, model.Weight(0, 1, 0), 4);
        SeedExampleTests.AssertPrinted(0.5926, model.Weight(0, 1, 1), 4);
        SeedExampleTests.AssertPrinted(0.2724, model.Weight(1, 0, 0), 4, extra: 0.00006);
        SeedExampleTests.AssertPrinted(0.8731, model.Weight(1, 0, 1), 4, extra: 0.00006);
        SeedExampleTests.AssertPrinted(0.6820, ForwardOnce(backend, model, [0.35f, 0.9f])[0], 4);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void Seed002ThroughTheCommandLine(string backend)
    {
        using var dir = new TempDirectory();
        string init = dir.Write("seed002.json", Seed002Model);
        string data = dir.Write("seed002.csv", "0.1,0.5,0.05,0.95\n");
        string saved = dir.File("trained.json");

        CliRun run = CliRun.Of("train", "--backend", backend, "--init", init, "--data", data, "--targets", "2",
            "--loss", "half-squared-error", "--optimizer", "sgd", "--lr", "0.6", "--batch", "1", "--epochs", "1",
            "--fixed-biases", "--save", saved);

        Assert.True(run.ExitCode == 0, run.ToString());
        Match loss = EpochLoss().Match(run.Output);
        Assert.True(loss.Success, run.ToString());
        SeedExampleTests.AssertPrinted(0.24908, double.Parse(loss.Groups[1].Value, CultureInfo.InvariantCulture), 5);
        Model.Model model = ModelJson.Read(saved);
        SeedExampleTests.AssertPrinted(0.45187, model.Weight(1, 0, 0), 5);
        SeedExampleTests.AssertPrinted(0.55073, model.Weight(1, 0, 1), 5);
        SeedExampleTests.AssertPrinted(0.71056, model.Weight(1, 1, 0), 5);
        SeedExampleTests.AssertPrinted(0.81081, model.Weight(1, 1, 1), 5);
        SeedExampleTests.AssertPrinted(0.09933, model.Weight(0, 0, 0), 5);
        SeedExampleTests.AssertPrinted(0.19919, model.Weight(0, 1, 0), 5);
        SeedExampleTests.AssertPrinted(0.29667, model.Weight(0, 0, 1), 5);
        SeedExampleTests.AssertPrinted(0.39597, model.Weight(0, 1, 1), 5);
        Assert.Equal(0.25f, model.Bias(0, 1));
        Assert.Equal(0.35f, model.Bias(1, 0));
    }

    private static float[] ForwardOnce(string backendName, Model.Model model, float[] x)
    {
        using IBackend backend = Backends.Create(backendName);
        using var network = new TrainingNetwork(backend, model, LossKind.HalfSquaredError, new OptimizerSettings(), 1);
        using FloatBuffer input = backend.Allocate(x.Length);
        backend.Upload(x, input.All);
        BufferView output = network.Forward(input.All, 1);
        float[] result = new float[output.Length];
        backend.Download(output, result);
        return result;
    }

    [GeneratedRegex(@"epoch 1/1  loss ([0-9.E-]+)")]
    private static partial Regex EpochLoss();
}
