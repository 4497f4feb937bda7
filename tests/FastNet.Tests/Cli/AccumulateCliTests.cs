using FastNet.Benchmarking;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>What <c>--accumulate K</c> reports when K micro-batches of ⌈B/K⌉ rows would hold more than the batch.</summary>
public class AccumulateCliTests
{
    private static readonly string[] Small = ["train", "--backend", "simd", "--layers", "8", "--batch", "10", "--epochs", "1",
        "--no-progress"];

    // batch 10 with K = 7 takes micro-batches of ⌈10/7⌉ = 2 rows: 5 of them, as K = 5 does; the header said
    // "7 micro-batches of up to 2"
    [Fact]
    public void TheHeaderNamesTheMicroBatchesAStepReallyTakes()
    {
        using var dir = new TempDirectory();
        CliRun seven = CliRun.Of([.. Small, "--accumulate", "7", "--save", dir.File("k7.json")]);
        CliRun five = CliRun.Of([.. Small, "--accumulate", "5", "--save", dir.File("k5.json")]);
        Assert.True(seven.ExitCode == 0, seven.ToString());
        Assert.True(five.ExitCode == 0, five.ToString());

        Assert.Contains("batch 10 (5 micro-batches of 2; --accumulate 7 leaves ⌈10/7⌉ = 2 rows each)", seven.Output,
            StringComparison.Ordinal);
        Assert.Contains("batch 10 (5 micro-batches of 2)", five.Output, StringComparison.Ordinal);
        Assert.Equal(ModelJson.Read(dir.File("k5.json")).Parameters, ModelJson.Read(dir.File("k7.json")).Parameters);
    }

    [Fact]
    public void ABenchWorkloadNamesTheMicroBatchesAStepReallyTakes()
    {
        var workload = new Workload("custom", [4, 3, 2], Activation.Relu, LossKind.SoftmaxCrossEntropy, OptimizerKind.Sgd, 10);

        Assert.EndsWith("batch 10 as 5 micro-batches of 2 (K = 7 leaves ⌈10/7⌉ = 2 rows each)", workload.Accumulating(7).Describe(),
            StringComparison.Ordinal);
        Assert.EndsWith("batch 10 as 4 micro-batches of up to 3", workload.Accumulating(4).Describe(), StringComparison.Ordinal);
    }
}
