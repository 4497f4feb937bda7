using Onnx;
using Xunit;
using static FastNet.Onnx.Tests.GraphBuilder;

namespace FastNet.Onnx.Tests;

/// <summary>
/// Elementwise nodes branching from a layer's output are read as a formula to recognise GELU. Nodes that feed
/// themselves, a chain of 100,000 of them, or a formula that doubles with each node are not GELU: each is refused as
/// a branch naming the file and node, with stack and memory bounded by the graph's size (a cycle or a long chain overflowed the stack
/// and ended the process; Mul(v, v) repeated grew the formula as 2 to the number of nodes).
/// </summary>
public class HostileGeluTests
{
    private const string Z = "/fc/Gemm_output_0";

    private const string Branch = "model.onnx: node \"/out/Mul\" (Mul): \"/fc/Gemm_output_0\" also feeds node \"/g/Start\" "
        + "(Mul): a branch; FastNet imports a single chain of layers, with GELU's erf or tanh formula the only branching";

    public static TheoryData<string, Func<ModelProto>> HostileRegions() => new()
    {
        // v = z·c, a = v + w, w = a·c: a and w depend on each other
        { "a cycle", () => Region(g => g.Node("Add", "/g/Add", ["/g/v", "/g/w"], "/g/a").Node("Mul", "/g/Loop", ["/g/a", "c"], "/g/w"), "/g/a") },
        { "a chain of 100,000 nodes", () => Region(g => Chain(g, 100_000), "/g/a100000") },
        { "a formula doubled 24 times", () => Region(g => Squares(g, 24), "/g/s24") },
    };

    [Theory]
    [MemberData(nameof(HostileRegions))]
    public void ARegionThatIsNotGeluIsABranch(string what, Func<ModelProto> graph)
    {
        ModelProto onnx = graph();
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<OnnxFormatException>(() => OnnxImport.FromOnnx(onnx, "model.onnx"));

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(e.Message == Branch, $"{what}: {e.Message}");
        // the import's own tables take some hundreds of bytes per node; the formula adds nothing that grows faster
        Assert.True(allocated < (16 << 20) + 1024L * onnx.Graph.Node.Count, $"{what}: {allocated} bytes allocated");
    }

    // z → /g/Start (z·c) → the region's nodes → last; the output is last·z, so z feeds two nodes (a branch).
    private static ModelProto Region(Func<GraphBuilder, GraphBuilder> nodes, string last) =>
        nodes(new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("fc.weight", [1, 2, 3, 4, 5, 6], 2, 3).Initializer("fc.bias", [0.5f, -0.5f], 2)
            .Initializer("c", [0.5f])
            .Node("Gemm", "/fc/Gemm", ["input", "fc.weight", "fc.bias"], Z, Int("transB", 1))
            .Node("Mul", "/g/Start", [Z, "c"], "/g/v"))
            .Node("Mul", "/out/Mul", [last, Z], "output")
            .Build();

    // a1 = v + c, a2 = a1 + c, ...
    private static GraphBuilder Chain(GraphBuilder g, int length)
    {
        for (int i = 1; i <= length; i++)
        {
            g.Node("Add", $"/g/Add{i}", [i == 1 ? "/g/v" : $"/g/a{i - 1}", "c"], $"/g/a{i}");
        }
        return g;
    }

    // s1 = v·v, s2 = s1·s1, ...: s_n has 2^n factors of v written out
    private static GraphBuilder Squares(GraphBuilder g, int count)
    {
        for (int i = 1; i <= count; i++)
        {
            string previous = i == 1 ? "/g/v" : $"/g/s{i - 1}";
            g.Node("Mul", $"/g/Square{i}", [previous, previous], $"/g/s{i}");
        }
        return g;
    }
}
