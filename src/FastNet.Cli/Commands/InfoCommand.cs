using System.CommandLine;
using System.Globalization;
using FastNet.Kernels;
using FastNet.Kernels.Cpu;
using FastNet.Kernels.Gpu;
using FastNet.Kernels.Simd;

namespace FastNet.Cli.Commands;

/// <summary><c>fastnet info</c>: the backends, whether each can run here (and why not), the CPU's vector support and
/// the GPUs FastNet sees.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var peak = new Option<bool>("--peak") { Description = "also measure the CPU's FP32 FMA peak (a second or so)" };
        var ptx = new Option<DirectoryInfo?>("--ptx")
        {
            Description = "also write every GPU kernel's PTX, as FastNet compiles it, to this folder (a file per kernel)",
        };
        var command = new Command("info", "Backends, CPU vector support and the GPU devices FastNet sees")
        {
            peak, ptx,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            var c = CultureInfo.InvariantCulture;
            output.WriteLine("backends:");
            foreach (BackendDescriptor d in Backends.All.OrderByDescending(d => d.Priority))
            {
                string? why = d.WhyUnavailable();
                output.WriteLine($"  {d.Name,-10} {(why is null ? "available  " : "unavailable")}  {d.Description}{(why is null ? "" : $" ({why})")}");
            }
            string auto;
            using (IBackend chosen = Backends.Create(BackendRegistry.Auto))
            {
                auto = chosen.Name;
            }
            output.WriteLine($"  --backend auto picks {auto}");
            output.WriteLine($"cpu: {Environment.ProcessorCount} logical cores; vector widths: "
                + $"{string.Join(", ", VectorWidths.Available)}; simd computes with {VectorWidths.Best}");
            if (parse.GetValue(peak))
            {
                output.WriteLine(string.Create(c, $"cpu FP32 FMA peak: {FmaPeak.Measure(1):F1} GFLOP/s on 1 thread, "
                    + $"{FmaPeak.Measure(Environment.ProcessorCount):F1} on {Environment.ProcessorCount}"));
            }
            IReadOnlyList<GpuDeviceInfo> devices = GpuBackendInfo.ListDevices();
            output.WriteLine(devices.Count == 0 ? "gpu: no CUDA device found" : "gpu devices:");
            foreach ((GpuDeviceInfo g, int i) in devices.Select((g, i) => (g, i)))
            {
                output.WriteLine(string.Create(c,
                    $"  [{i}] {g.Name}: {g.MemoryBytes / 1073741824.0:F1} GiB, {g.Multiprocessors} multiprocessors, warp {g.WarpSize}, "
                    + $"{g.MaxThreadsPerGroup} threads/group, {g.MaxSharedMemoryPerGroup / 1024} KiB shared/group"));
            }
            if (parse.GetValue(ptx) is { } folder)
            {
                WritePtx(folder, output);
            }
            return 0;
        }));
        return command;
    }

    private static void WritePtx(DirectoryInfo folder, TextWriter output)
    {
        if (folder.ToString() == OutputTarget.StandardOutput)
        {
            // a folder of files cannot go to standard output; creating one called "-" would surprise
            throw new ArgumentException($"--ptx {folder}: expected a folder to write the kernels' PTX to, not "
                + $"standard output (./{OutputTarget.StandardOutput} names a folder called {OutputTarget.StandardOutput})");
        }
        if (File.Exists(folder.FullName))
        {
            throw new ArgumentException($"--ptx {folder}: is a file; expected a folder to write the kernels' PTX to");
        }
        try
        {
            folder.Create();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the system's message alone names neither the option nor what was being made
            throw new ArgumentException($"--ptx {folder}: cannot create the folder ({e.Message})", e);
        }
        IReadOnlyDictionary<string, string> listing = PtxListing.Compile();
        foreach ((string kernel, string assembly) in listing)
        {
            AtomicFile.WriteAllText(Path.Combine(folder.FullName, kernel + ".ptx"), assembly);
        }
        output.WriteLine($"ptx: {listing.Count} kernels written to {folder.FullName}");
    }
}
