using Onnx;
using Xunit;
using static FastNet.Onnx.Tests.GraphBuilder;

namespace FastNet.Onnx.Tests;

/// <summary>A graph that is not a chain of dense layers is refused with an error naming the file, the node and its
/// operator type.</summary>
public class ImportErrorTests
{
    private static readonly float[] Weight = [1, 2, 3, 4, 5, 6];
    private static readonly float[] Bias = [0.5f, -0.5f];

    [Fact]
    public void AnUnsupportedOperatorIsNamedWithItsNode()
    {
        ModelProto onnx = Layer().Node("Conv", "/features/Conv", ["/fc/Gemm_output_0", "fc.weight"], "output").Build();

        AssertRefused(onnx, "/features/Conv", "Conv", "unsupported operator");
    }

    [Fact]
    public void ABranchIsRefusedAtTheSecondConsumer()
    {
        ModelProto onnx = Layer()
            .Node("Relu", "/a/Relu", ["/fc/Gemm_output_0"], "output")
            .Node("Sigmoid", "/b/Sigmoid", ["/fc/Gemm_output_0"], "other")
            .Build();

        AssertRefused(onnx, "/b/Sigmoid", "Sigmoid", "a branch");
    }

    [Fact]
    public void ANodeOffTheChainIsRefused()
    {
        ModelProto onnx = Layer().Node("Relu", "/fc/Relu", ["/fc/Gemm_output_0"], "output")
            .Node("Constant", "/unused/Constant", [], "unused")
            .Build();

        AssertRefused(onnx, "/unused/Constant", "Constant", "not on the chain");
    }

    [Fact]
    public void AWeightComputedByAnotherNodeIsRefusedNamingBoth()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("fc.weight_t", Weight, 3, 2)
            .Node("Transpose", "/fc/Transpose", ["fc.weight_t"], "fc.weight", Ints("perm", 1, 0))
            .Node("Gemm", "/fc/Gemm", ["input", "fc.weight"], "output", Int("transB", 1))
            .Build();

        OnnxFormatException e = AssertRefused(onnx, "/fc/Gemm", "Gemm", "not an initializer");
        Assert.Contains("computed by node \"/fc/Transpose\" (Transpose)", e.Message, StringComparison.Ordinal);
    }

    // a subnormal divisor's reciprocal overflows: the imported model's inputs, and outputs, became infinite
    [Fact]
    public void ADivisorTooSmallToDivideByIsRefused()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("scale", [1e-40f], 1)
            .Initializer("fc.weight", Weight, 2, 3).Initializer("fc.bias", Bias, 2)
            .Node("Div", "/pre/Div", ["input", "scale"], "scaled")
            .Node("Gemm", "/fc/Gemm", ["scaled", "fc.weight", "fc.bias"], "output", Int("transB", 1))
            .Build();

        OnnxFormatException e = AssertRefused(onnx, "/pre/Div", "Div", "operand \"scale\" holds ");
        Assert.Contains("positive divisors, each a finite number of at least 1.1754944E-38", e.Message, StringComparison.Ordinal);
    }

    // Names come from the file: a message quotes them on one line, control characters escaped.
    [Fact]
    public void NamesFromTheFileAreQuotedWithTheirControlCharactersEscaped()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Input("w\neight", 2).Output("output", 2)
            .Node("MatMul", "/fc/\u001b[2JMatMul", ["input", "w\neight"], "output")
            .Build();

        OnnxFormatException e = Assert.Throws<OnnxFormatException>(() => OnnxImport.FromOnnx(onnx, "model.onnx"));

        Assert.StartsWith("model.onnx: node \"/fc/\\u001b[2JMatMul\" (MatMul): its weight \"w\\neight\" is an input of the graph",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWeightFedAsAGraphInputIsRefused()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Input("weight", 2).Output("output", 2)
            .Node("MatMul", "/fc/MatMul", ["input", "weight"], "output")
            .Build();

        AssertRefused(onnx, "/fc/MatMul", "MatMul", "\"weight\" is an input of the graph, not an initializer");
    }

    [Fact]
    public void AScaledGemmIsRefused()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("fc.weight", Weight, 2, 3)
            .Node("Gemm", "/fc/Gemm", ["input", "fc.weight"], "output", Float("alpha", 2), Int("transB", 1))
            .Build();

        AssertRefused(onnx, "/fc/Gemm", "Gemm", "alpha = 2");
    }

    [Fact]
    public void TwoActivationsInARowAreRefused()
    {
        ModelProto onnx = Layer()
            .Node("Relu", "/fc/Relu", ["/fc/Gemm_output_0"], "relu")
            .Node("Tanh", "/fc/Tanh", ["relu"], "output")
            .Build();

        AssertRefused(onnx, "/fc/Tanh", "Tanh", "a second activation after relu");
    }

    [Fact]
    public void ALayerWhoseWeightsDoNotFitTheLayerBelowIsRefused()
    {
        ModelProto onnx = Layer()
            .Initializer("out.weight", Weight, 3, 2)
            .Node("MatMul", "/out/MatMul", ["/fc/Gemm_output_0", "out.weight"], "output")
            .Build();

        AssertRefused(onnx, "/out/MatMul", "MatMul", "takes 3 inputs; the layer below has 2 units");
    }

    [Fact]
    public void ANodeAfterTheFinalSoftmaxIsRefused()
    {
        ModelProto onnx = Layer()
            .Node("Softmax", "/softmax", ["/fc/Gemm_output_0"], "probabilities")
            .Node("Relu", "/after/Relu", ["probabilities"], "output")
            .Build();

        AssertRefused(onnx, "/after/Relu", "Relu", "follows the final Softmax");
    }

    [Fact]
    public void AnUnnamedNodeIsNamedByTheTensorItComputes()
    {
        ModelProto onnx = Layer().Node("Softplus", "", ["/fc/Gemm_output_0"], "output").Build();

        AssertRefused(onnx, "<computes output>", "Softplus", "unsupported operator");
    }

    [Fact]
    public void AnIntermediateOutputIsRefused()
    {
        ModelProto onnx = Layer().Node("Relu", "/fc/Relu", ["/fc/Gemm_output_0"], "output").Output("/fc/Gemm_output_0", 2)
            .Build();

        AssertRefused(onnx, "/fc/Gemm", "Gemm", "output \"/fc/Gemm_output_0\" is not the end of the chain");
    }

    [Fact]
    public void AFileThatIsNotOnnxIsRefusedNamingTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fastnet-not-onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, "{ \"format\": \"fastnet-model\" }");
        try
        {
            OnnxFormatException e = Assert.Throws<OnnxFormatException>(() => OnnxImport.Read(path));

            Assert.StartsWith($"{path}: not an ONNX model", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // input [batch, 3] → Gemm(fc.weight [2, 3], transB = 1, fc.bias) → /fc/Gemm_output_0; the output is the caller's.
    [Fact]
    public void ANonFiniteWeightIsRefusedNamingTheLayerAndIndex()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("fc.weight", [1, 2, 3, 4, float.NaN, 6], 2, 3).Initializer("fc.bias", Bias, 2)
            .Node("Gemm", "/fc/Gemm", ["input", "fc.weight", "fc.bias"], "output", Int("transB", 1))
            .Build();
        string path = Path.Combine(Directory.CreateTempSubdirectory("fastnet-onnx-").FullName, "nan.onnx");
        try
        {
            using (FileStream file = File.Create(path))
            {
                Google.Protobuf.MessageExtensions.WriteTo(onnx, file);
            }

            OnnxFormatException e = Assert.Throws<OnnxFormatException>(() => OnnxImport.Read(path));

            // PyTorch's weight [2, 3] row 1 column 1 is input 1 of unit 1.
            Assert.Contains($"{path}: layers[0].weights[1][1] is NaN: expected finite parameters", e.Message, StringComparison.Ordinal);
            OnnxFormatException directory = Assert.Throws<OnnxFormatException>(() => OnnxImport.Read(Path.GetDirectoryName(path)!));
            Assert.Contains("is a directory", directory.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    // 2^62 floats are 2^64 bytes, which wraps to the 0 bytes of data these tensors hold.
    [Theory]
    [InlineData(1L << 62)]
    [InlineData(1L << 31, 1L << 31)]
    [InlineData(1L << 20, 1L << 20, 1L << 22)]
    public void AWeightShapeBeyondOneArrayIsRefusedBeforeItIsAllocated(params long[] dims)
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("fc.weight", [], dims)
            .Node("MatMul", "/fc/MatMul", ["input", "fc.weight"], "output")
            .Build();

        AssertRefused(onnx, "/fc/MatMul", "MatMul", "its weight \"fc.weight\" has a shape of");
    }

    [Fact]
    public void ANegativeDimensionIsRefused()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("fc.weight", Weight, -3, -2)
            .Node("MatMul", "/fc/MatMul", ["input", "fc.weight"], "output")
            .Build();

        AssertRefused(onnx, "/fc/MatMul", "MatMul", "its weight \"fc.weight\" has a negative dimension");
    }

    // ONNX Runtime reads raw_data: taking float_data instead would predict with other weights than it does
    [Fact]
    public void AWeightHoldingBothFloatDataAndRawDataIsRefused()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("fc.weight", Weight, 3, 2)
            .Node("MatMul", "/fc/MatMul", ["input", "fc.weight"], "output")
            .Build();
        onnx.Graph.Initializer.Single(t => t.Name == "fc.weight").FloatData.AddRange(Weight.Select(w => w * 10));

        AssertRefused(onnx, "/fc/MatMul", "MatMul", "its weight \"fc.weight\" holds both float_data and raw_data");
    }

    [Fact]
    public void AnAttributeGivenTwiceIsRefused()
    {
        ModelProto onnx = new GraphBuilder().Input("input", 3).Output("output", 2)
            .Initializer("fc.weight", Weight, 2, 3).Initializer("fc.bias", Bias, 2)
            .Node("Gemm", "/fc/Gemm", ["input", "fc.weight", "fc.bias"], "output", Int("transB", 1), Int("transB", 0))
            .Build();

        AssertRefused(onnx, "/fc/Gemm", "Gemm", "gives attribute \"transB\" twice; ONNX gives each attribute once");
    }

    private static GraphBuilder Layer() => new GraphBuilder().Input("input", 3).Output("output", 2)
        .Initializer("fc.weight", Weight, 2, 3).Initializer("fc.bias", Bias, 2)
        .Node("Gemm", "/fc/Gemm", ["input", "fc.weight", "fc.bias"], "/fc/Gemm_output_0", Int("transB", 1));

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static OnnxFormatException AssertRefused(ModelProto onnx, string node, string opType, string problem)
    {
        OnnxFormatException e = Assert.Throws<OnnxFormatException>(() => OnnxImport.FromOnnx(onnx, "model.onnx"));
        Assert.Equal(("model.onnx", node, opType), (e.File, e.Node, e.OpType));
        Assert.StartsWith($"model.onnx: node \"{node}\" ({opType}): ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        return e;
    }
}
