using FastNet.Kernels;
using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Tests.Cli;

public class InfoCliTests
{
    [Fact]
    public void InfoListsEveryBackendWithItsAvailabilityAndWhatAutoPicks()
    {
        CliRun run = CliRun.Of("info");
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (BackendDescriptor d in Backends.All)
        {
            Assert.Contains(d.Name, run.Output, StringComparison.Ordinal);
            string? why = d.WhyUnavailable();
            if (why is not null)
            {
                Assert.Contains(why, run.Output, StringComparison.Ordinal);
            }
        }
        string best = Backends.Available.MaxBy(d => d.Priority)!.Name;
        Assert.Contains($"--backend auto picks {best}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void InfoNamesTheVectorWidthTheRegisteredSimdBackendComputesWith()
    {
        CliRun run = CliRun.Of("info");
        Assert.True(run.ExitCode == 0, run.ToString());
        using IBackend simd = Backends.Create("simd");
        Assert.Contains($"simd computes with {Assert.IsAssignableFrom<SimdBackend>(simd).Width}", run.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public void PtxOptionRefusesAFile()
    {
        string file = Path.GetTempFileName();
        try
        {
            CliRun run = CliRun.Of("info", "--ptx", file);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"--ptx {file}: is a file; expected a folder", run.Error, StringComparison.Ordinal);
            Assert.Equal(0, new FileInfo(file).Length);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void PtxOptionRefusesDashRatherThanMakingAFolderOfThatName()
    {
        CliRun run = CliRun.Of("info", "--ptx", "-");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("fastnet: error: --ptx -: expected a folder to write the kernels' PTX to, not standard output",
            run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists("-"));
    }

    [Fact]
    public void PtxOptionNamesAFolderThatCannotBeCreated()
    {
        // /proc/self takes no new entries, not even from root.
        const string folder = "/proc/self/fastnet-ptx";
        CliRun run = CliRun.Of("info", "--ptx", folder);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"fastnet: error: --ptx {folder}: cannot create the folder (", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void GpuWithoutACudaDeviceFailsNamingTheAvailableBackends()
    {
        BackendDescriptor gpu = Backends.All.Single(d => d.Name == "gpu");
        if (gpu.WhyUnavailable() is null)
        {
            return; // a CUDA machine: the GPU suite covers it
        }
        CliRun run = CliRun.Of("train", "--backend", "gpu", "--epochs", "1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("backend 'gpu' is not available here: no CUDA device found", run.Error, StringComparison.Ordinal);
        Assert.Contains("available: auto, reference, simd", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", run.Error, StringComparison.Ordinal);
    }
}
