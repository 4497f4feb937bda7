using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>The kernels compile for CUDA (PTX for sm_80) on a machine without a GPU.</summary>
public sealed partial class PtxTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"\.shared \.align \d+ \.b8 \w+\[(\d+)\]")]
    private static partial Regex SharedDeclaration();

    [Fact]
    public void EveryKernelCompilesToPtxWithoutApproximateTranscendentals()
    {
        IReadOnlyDictionary<string, string> listing = PtxListing.Compile();
        // 23 kernels, plus the three forward GEMMs compiled once per activation fused into them
        Assert.Equal(23 + 3 * ActivationFunctions.Fused.Count, listing.Count);
        // the per-example backward sums a weight row across a warp with shuffles, not shared memory or atomics
        Assert.Contains("shfl.sync.down", listing["RowKernels.Backward"]);
        Assert.DoesNotContain("atom.", listing["RowKernels.Backward"]);
        // and rounds the gradient x_i·dz_j before the SGD arithmetic, as the unfused step's stored dW is: an exact
        // double product rounded once to float, which the PTX assembler cannot contract into an FMA
        Assert.Contains("mul.f64", listing["RowKernels.Backward"]);
        Assert.Contains("cvt.rn.f32.f64", listing["RowKernels.Backward"]);
        foreach ((string name, string ptx) in listing)
        {
            output.WriteLine($"{name}: {ptx.Length} characters of PTX");
            Assert.Contains(".entry", ptx);
            Assert.DoesNotContain("tanh.approx", ptx);
            Assert.DoesNotContain("ex2.approx", ptx);
            Assert.DoesNotContain("lg2.approx", ptx);
            // nothing in local memory: no accumulator array spilled by ILGPU, no inline-PTX result slot
            Assert.DoesNotContain(".local", ptx);
            if (name.StartsWith("Gemm", StringComparison.Ordinal))
            {
                // launch bounds, so the assembler keeps the registers within what the intended occupancy allows
                Assert.Contains($".maxntid {GemmKernels.Threads}, 1, 1", ptx);
                Assert.Contains(name.StartsWith("GemmWide", StringComparison.Ordinal) ? ".minnctapersm 1"
                    : ".minnctapersm 2", ptx);
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
                Assert.Contains("ld.shared.v4.f32", ptx);
                Assert.True(ptx.Contains("ld.global.v4.f32", StringComparison.Ordinal)
                    || ptx.Contains("ld.v4.f32", StringComparison.Ordinal), name);
                Assert.True(ptx.Contains("st.global.v4.f32", StringComparison.Ordinal)
                    || ptx.Contains("st.v4.f32", StringComparison.Ordinal), name);
                Assert.DoesNotContain("ld.shared.f32", ptx);
                // Two stages of both slices, within the 48 KB every group may use.
                int sharedBytes = SharedDeclaration().Matches(ptx).Sum(m => int.Parse(m.Groups[1].Value,
                    CultureInfo.InvariantCulture));
                Assert.Equal(GemmWideKernels.SharedBytes, sharedBytes);
                Assert.True(sharedBytes <= 48 * 1024, name);
            }
        }
    }
}
