using Onnx;
using Xunit;
using static FastNet.Onnx.Tests.GraphBuilder;

namespace FastNet.Onnx.Tests;

/// <summary>
/// A graph that defines a name twice (two initializers, two nodes computing one tensor, a node computing an
/// initializer) or a metadata key twice is refused naming the file, the name and the node, instead of the later
/// definition silently replacing the earlier; metadata that is not JSON is quoted on one line, and a class name that
/// would break predict's CSV or eval's table is refused, and so is a loss the output layer cannot have (as in a model
/// file).
/// </summary>
public class AmbiguousGraphTests
{
    private static readonly float[] Weight = [1, 2, 3, 4, 5, 6];
    private static readonly float[] Bias = [0.5f, -0.5f];

    public static TheoryData<string, Func<ModelProto>, string> HostileGraphs() => new()
    {
        {
            "an initializer defined twice",
            () => Layer().Initializer("fc.bias", [9, 9], 2).Build(),
            "model.onnx: initializer \"fc.bias\" is defined twice; ONNX assigns each name once"
        },
        {
            "a tensor two nodes compute",
            () => Layer().Node("Relu", "/fc/Relu", ["/fc/Gemm_output_0"], "output").Node("Sigmoid", "/x/Sigmoid", ["input"], "output").Build(),
            "model.onnx: node \"/x/Sigmoid\" (Sigmoid): computes \"output\", which node \"/fc/Relu\" computes too; ONNX assigns each name once"
        },
        {
            "a node computing an initializer",
            () => Layer().Node("Relu", "/fc/Relu", ["/fc/Gemm_output_0"], "fc.bias").Build(),
            "model.onnx: node \"/fc/Relu\" (Relu): computes \"fc.bias\", which is an initializer too; ONNX assigns each name once"
        },
        {
            "a metadata key given twice",
            () => WithMetadata(Layer().Node("Relu", "/fc/Relu", ["/fc/Gemm_output_0"], "output").Build(),
                (OnnxLayout.ClassesKey, "[\"a\", \"b\"]"), (OnnxLayout.ClassesKey, "[\"b\", \"a\"]")),
            "model.onnx: metadata \"fastnet.classes\" appears twice; each key may appear once"
        },
        {
            "a class name holding a line break",
            () => WithMetadata(Layer().Node("Relu", "/fc/Relu", ["/fc/Gemm_output_0"], "output").Build(),
                (OnnxLayout.ClassesKey, "[\"a\", \"b\\nc\"]")),
            "model.onnx: metadata 'fastnet.classes', name 2: expected a class name without control characters, found \"b\\nc\""
        },
        {
            "metadata that is not JSON",
            () => WithMetadata(Layer().Node("Relu", "/fc/Relu", ["/fc/Gemm_output_0"], "output").Build(),
                (OnnxLayout.ClassesKey, "[\"a\",\n\u001b[2J nul")),
            "model.onnx: metadata 'fastnet.classes': not a JSON array of names (line 2, byte 1: \"0x1B\" is an invalid start of a value.)"
        },
        {
            "a cross-entropy loss over sigmoid outputs (predict would take their softmax)",
            () => WithMetadata(Layer().Node("Sigmoid", "/fc/Sigmoid", ["/fc/Gemm_output_0"], "output").Build(),
                (OnnxLayout.LossKey, "cross-entropy")),
            "model.onnx: metadata 'fastnet.loss' says cross-entropy, but cross-entropy applies softmax to the output layer itself: its activation must be identity, not sigmoid"
        },
    };

    [Theory]
    [MemberData(nameof(HostileGraphs))]
    public void TheErrorNamesTheFileTheNameAndTheNode(string what, Func<ModelProto> graph, string expected)
    {
        var e = Assert.Throws<OnnxFormatException>(() => OnnxImport.FromOnnx(graph(), "model.onnx"));

        Assert.True(expected == e.Message, $"{what}: {e.Message}");
    }

    private static GraphBuilder Layer() => new GraphBuilder().Input("input", 3).Output("output", 2)
        .Initializer("fc.weight", Weight, 2, 3).Initializer("fc.bias", Bias, 2)
        .Node("Gemm", "/fc/Gemm", ["input", "fc.weight", "fc.bias"], "/fc/Gemm_output_0", Int("transB", 1));

    private static ModelProto WithMetadata(ModelProto onnx, params (string Key, string Value)[] entries)
    {
        foreach ((string key, string value) in entries)
        {
            onnx.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return onnx;
    }
}
