using FastNet.Tests.Data;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>Sizes that overflow or cannot fit are refused at once with a clear message, before anything large is
/// allocated.</summary>
public class SizeLimitCliTests
{
    // what the refused runs may allocate on this thread: the embedded digits and the runtime's own, far below a
    // network's gigabytes (the native buffers of a network are outside this count, its host model is not)
    private const long SmallAllocation = 256L << 20;

    [Fact]
    public void AHundredMillionUnitLayerIsRefusedAsTooLarge()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        CliRun run = CliRun.Of("train", "--layers", "100000000", "--no-progress");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.StartsWith("fastnet: error: the network 64-100000000-10 is too large", run.Error, StringComparison.Ordinal);
        Assert.Contains("6400000000 parameters", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.True(allocated < SmallAllocation, $"{allocated} bytes allocated before refusing");
    }

    [Fact]
    public void TwoLayersOfFortyThousandUnitsAreRefusedBeforeAllocating()
    {
        // 64-40000-40000-10 with Adam needs about 35.85 GiB (the backend's scratch grows by a packed panel per core);
        // where that much is free, Adam's state is still one buffer of 3.2e9 floats, more than a buffer can index, so
        // the run is refused on any machine
        bool enoughMemory = AvailableMemory.HostBytes() > (36L << 30);
        long before = GC.GetAllocatedBytesForCurrentThread();
        CliRun run = CliRun.Of("train", "--layers", "40000,40000", "--no-progress");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(run.ExitCode != 0, run.ToString());
        if (enoughMemory)
        {
            Assert.Contains("the optimizer state would be one buffer of 3206080020 floats", run.Error,
                StringComparison.Ordinal);
            Assert.Contains("a buffer can hold", run.Error, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("not enough memory: the run needs 35.", run.Error, StringComparison.Ordinal);
            Assert.Contains("GiB (parameters 5.97 GiB, gradients 5.97 GiB, optimizer state 11.94 GiB", run.Error,
                StringComparison.Ordinal);
            Assert.Contains("GiB available", run.Error, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(run.Output.Split('\n'), line => line.StartsWith("epoch", StringComparison.Ordinal));
        Assert.True(allocated < SmallAllocation, $"{allocated} bytes allocated before refusing");
    }

    [Fact]
    public void AModelFileDeclaringTwoBillionInputsIsAFormatErrorNamingTheFileAndField()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("huge.json", """
            {"format":"fastnet-model","version":1,"inputs":2147483647,
             "layers":[{"units":10,"activation":"identity","weights":[]}]}
            """);

        CliRun run = CliRun.Of("eval", "--model", path);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains($"{path}, field inputs: the network 2147483647-10 is too large", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingFromAModelFileDeclaringTwoBillionUnitsNamesTheLayer()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("huge.json", """
            {"format":"fastnet-model","version":1,"inputs":64,
             "layers":[{"units":2147483647,"activation":"relu","weights":[]},
                       {"units":10,"activation":"identity","weights":[]}]}
            """);

        CliRun run = CliRun.Of("train", "--init", path, "--no-progress");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains($"{path}, field layers[0].units", run.Error, StringComparison.Ordinal);
    }
}
