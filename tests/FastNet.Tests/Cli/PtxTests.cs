using System.Globalization;
using System.Text.RegularExpressions;
using FastNet.Kernels.Gpu;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// <c>fastnet info --ptx</c> writes every GPU kernel's PTX (sm_80), compiled on a machine without a GPU, one file per
/// kernel; the listings are checked here, so the kernels are compiled to PTX once per test run.
/// </summary>
public sealed partial class PtxTests
{
    [GeneratedRegex(@"\.shared \.align \d+ \.b8 \w+\[(\d+)\]")]
    private static partial Regex SharedDeclaration();

    [Fact]
    public void InfoWritesEveryKernelsPtxWithoutApproximateTranscendentals()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"fastnet-ptx-{Guid.NewGuid():N}");
        try
        {
            CliRun run = CliRun.Of("info", "--ptx", folder);
            Assert.True(run.ExitCode == 0, run.ToString());
            string[] files = Directory.GetFiles(folder);
            Assert.Contains($"ptx: {files.Length} kernels written to {folder}", run.Output, StringComparison.Ordinal);
            Assert.All(files, file => Assert.EndsWith(".ptx", file, StringComparison.Ordinal));
            Dictionary<string, string> listing = files.ToDictionary(file => Path.GetFileNameWithoutExtension(file),
                File.ReadAllText, StringComparer.Ordinal);
            Check(listing);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static void Check(Dictionary<string, string> listing)
    {
        // 23 kernels, plus the three forward GEMMs compiled once per activation fused into them
        Assert.Equal(23 + 3 * ActivationFunctions.Fused.Count, listing.Count);
        Assert.Contains("GemmWideKernels.ForwardNN.Sigmoid", listing.Keys);
        // the per-example backward sums a weight row across a warp with shuffles, not shared memory or atomics
        Assert.Contains("shfl.sync.down", listing["RowKernels.Backward"], StringComparison.Ordinal);
        Assert.DoesNotContain("atom.", listing["RowKernels.Backward"], StringComparison.Ordinal);
        // and rounds the gradient x_i·dz_j before the SGD arithmetic, as the unfused step's stored dW is: an exact
        // double product rounded once to float, which the PTX assembler cannot contract into an FMA
        Assert.Contains("mul.f64", listing["RowKernels.Backward"], StringComparison.Ordinal);
        Assert.Contains("cvt.rn.f32.f64", listing["RowKernels.Backward"], StringComparison.Ordinal);
        foreach ((string name, string ptx) in listing)
        {
            Assert.Contains(".visible .entry", ptx, StringComparison.Ordinal);
            Assert.DoesNotContain("tanh.approx", ptx, StringComparison.Ordinal);
            Assert.DoesNotContain("ex2.approx", ptx, StringComparison.Ordinal);
            Assert.DoesNotContain("lg2.approx", ptx, StringComparison.Ordinal);
            // nothing in local memory: no accumulator array spilled by ILGPU, no inline-PTX result slot
            Assert.DoesNotContain(".local", ptx, StringComparison.Ordinal);
            if (name.StartsWith("Gemm", StringComparison.Ordinal))
            {
                // launch bounds, so the assembler keeps the registers within what the intended occupancy allows
                Assert.Contains($".maxntid {GemmKernels.Threads}, 1, 1", ptx, StringComparison.Ordinal);
                Assert.Contains(name.StartsWith("GemmWide", StringComparison.Ordinal) ? ".minnctapersm 1"
                    : ".minnctapersm 2", ptx, StringComparison.Ordinal);
                // GPU.md's O2 trap: tile loads moved below the barrier that protects them. In these kernels every
                // shared load belongs between the first and the last barrier of the listing.
                string[] lines = ptx.Split('\n');
                int[] barriers = [.. lines.Index().Where(l => l.Item.Contains("bar.sync")).Select(l => l.Index)];
                int[] loads = [.. lines.Index().Where(l => l.Item.Contains("ld.shared")).Select(l => l.Index)];
                Assert.True(barriers.Length >= 2 && loads.Length > 0, name);
                Assert.True(loads[0] > barriers[0] && loads[^1] < barriers[^1], name);
            }
            if (name.StartsWith("GemmWideKernels.", StringComparison.Ordinal))
            {
                // GPU.md's float4 design: the tiles are read as 16-byte vectors, and so are the operands in memory
                // (generic or global addressing, whichever ILGPU picks); C is written as vectors.
                Assert.Contains("ld.shared.v4.f32", ptx, StringComparison.Ordinal);
                Assert.True(ptx.Contains("ld.global.v4.f32", StringComparison.Ordinal)
                    || ptx.Contains("ld.v4.f32", StringComparison.Ordinal), name);
                Assert.True(ptx.Contains("st.global.v4.f32", StringComparison.Ordinal)
                    || ptx.Contains("st.v4.f32", StringComparison.Ordinal), name);
                Assert.DoesNotContain("ld.shared.f32", ptx, StringComparison.Ordinal);
                // Two stages of both slices, within the 48 KB every group may use.
                int sharedBytes = SharedDeclaration().Matches(ptx).Sum(m => int.Parse(m.Groups[1].Value,
                    CultureInfo.InvariantCulture));
                Assert.Equal(GemmWideKernels.SharedBytes, sharedBytes);
                Assert.True(sharedBytes <= 48 * 1024, name);
            }
        }
    }
}
