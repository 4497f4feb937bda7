using FastNet.Kernels;
using Onnx;
using Xunit;
using static FastNet.Onnx.Tests.GraphBuilder;

namespace FastNet.Onnx.Tests;

/// <summary>
/// GELU imports in the forms exporters write it: the Gelu operator of opset 20, and before it the formula in
/// elementwise operators, with PyTorch's order of operands and its literals as Constant nodes. The imported network
/// predicts what ONNX Runtime computes from the same file within the forward error bound; any other formula on a
/// branch is refused, and the error says what it computes.
/// </summary>
public class GeluImportTests
{
    private const int Inputs = 5, Hidden = 7, Outputs = 3;

    [Fact]
    public void PyTorchsErfFormulaImportsAsGelu()
    {
        // nn.GELU() exported by torch.onnx at opset 17: x·(1 + erf(x/√2)), then ·½
        GraphBuilder graph = FirstLayer()
            .Constant("/act/Constant_output_0", 1.4142135f)
            .Node("Div", "/act/Div", ["/fc1/Gemm_output_0", "/act/Constant_output_0"], "/act/Div_output_0")
            .Node("Erf", "/act/Erf", ["/act/Div_output_0"], "/act/Erf_output_0")
            .Constant("/act/Constant_1_output_0", 1f)
            .Node("Add", "/act/Add", ["/act/Erf_output_0", "/act/Constant_1_output_0"], "/act/Add_output_0")
            .Node("Mul", "/act/Mul", ["/fc1/Gemm_output_0", "/act/Add_output_0"], "/act/Mul_output_0")
            .Constant("/act/Constant_2_output_0", 0.5f)
            .Node("Mul", "/act/Mul_1", ["/act/Mul_output_0", "/act/Constant_2_output_0"], "/act/Mul_1_output_0");

        AssertImportsAsRuntimeComputes(SecondLayer(graph, "/act/Mul_1_output_0").Build(), Activation.Gelu);
    }

    [Fact]
    public void PyTorchsTanhFormulaImportsAsGeluTanh()
    {
        // nn.GELU(approximate="tanh") at opset 17: ½·(x·(1 + tanh(√(2/π)·(x + 0.044715·x·(x·x))))), literals first
        const string z = "/fc1/Gemm_output_0";
        GraphBuilder graph = FirstLayer()
            .Node("Mul", "/act/Mul", [z, z], "/act/Mul_output_0")
            .Node("Mul", "/act/Mul_1", [z, "/act/Mul_output_0"], "/act/Mul_1_output_0")
            .Constant("/act/Constant_output_0", 0.044715f)
            .Node("Mul", "/act/Mul_2", ["/act/Constant_output_0", "/act/Mul_1_output_0"], "/act/Mul_2_output_0")
            .Node("Add", "/act/Add", [z, "/act/Mul_2_output_0"], "/act/Add_output_0")
            .Constant("/act/Constant_1_output_0", 0.7978846f)
            .Node("Mul", "/act/Mul_3", ["/act/Constant_1_output_0", "/act/Add_output_0"], "/act/Mul_3_output_0")
            .Node("Tanh", "/act/Tanh", ["/act/Mul_3_output_0"], "/act/Tanh_output_0")
            .Constant("/act/Constant_2_output_0", 1f)
            .Node("Add", "/act/Add_1", ["/act/Constant_2_output_0", "/act/Tanh_output_0"], "/act/Add_1_output_0")
            .Node("Mul", "/act/Mul_4", [z, "/act/Add_1_output_0"], "/act/Mul_4_output_0")
            .Constant("/act/Constant_3_output_0", 0.5f)
            .Node("Mul", "/act/Mul_5", ["/act/Constant_3_output_0", "/act/Mul_4_output_0"], "/act/Mul_5_output_0");

        AssertImportsAsRuntimeComputes(SecondLayer(graph, "/act/Mul_5_output_0").Build(), Activation.GeluTanh);
    }

    [Fact]
    public void TheCubeAsPowAndTheScalingAsAMultiplicationByTheReciprocalImportToo()
    {
        const string z = "/fc1/Gemm_output_0";
        GraphBuilder graph = FirstLayer()
            .Initializer("three", [3f]).Initializer("kappa", [0.044715f]).Initializer("beta", [0.7978846f])
            .Initializer("one", [1f]).Initializer("half", [0.5f])
            .Node("Pow", "cube", [z, "three"], "z3")
            .Node("Mul", "kappa·z3", ["z3", "kappa"], "kz3")
            .Node("Add", "inner", ["kz3", z], "u0")
            .Node("Mul", "scaled", ["u0", "beta"], "u")
            .Node("Tanh", "tanh", ["u"], "t")
            .Node("Add", "1+t", ["one", "t"], "s")
            .Node("Mul", "half·z", ["half", z], "hz")
            .Node("Mul", "gelu", ["hz", "s"], "a");

        AssertImportsAsRuntimeComputes(SecondLayer(graph, "a").Build(), Activation.GeluTanh);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("tanh")]
    public void Opset20sGeluOperatorImports(string approximate)
    {
        GraphBuilder graph = FirstLayer()
            .Node("Gelu", "/act/Gelu", ["/fc1/Gemm_output_0"], "/act/Gelu_output_0", Text("approximate", approximate));

        AssertImportsAsRuntimeComputes(SecondLayer(graph, "/act/Gelu_output_0").Build(opset: 20),
            approximate == "none" ? Activation.Gelu : Activation.GeluTanh);
    }

    // ONNX Runtime refuses a Gelu node in a file of an earlier opset; importing it would run it here only
    [Fact]
    public void AGeluOperatorInAFileOfAnEarlierOpsetIsRefused()
    {
        GraphBuilder graph = FirstLayer().Node("Gelu", "/act/Gelu", ["/fc1/Gemm_output_0"], "/act/Gelu_output_0");

        var e = Assert.Throws<OnnxFormatException>(() =>
            OnnxImport.FromOnnx(SecondLayer(graph, "/act/Gelu_output_0").Build(opset: 17), "model.onnx"));

        Assert.Equal("model.onnx: node \"/act/Gelu\" (Gelu): Gelu is an operator of opset 20 and later; the file imports opset 17",
            e.Message);
    }

    [Fact]
    public void AnotherConstantInTheFormulaIsRefusedSayingWhatItComputes()
    {
        // ½ replaced by 0.6: no GELU
        GraphBuilder graph = FirstLayer()
            .Initializer("sqrt2", [1.4142135f]).Initializer("one", [1f]).Initializer("c", [0.6f])
            .Node("Div", "div", ["/fc1/Gemm_output_0", "sqrt2"], "d")
            .Node("Erf", "erf", ["d"], "e")
            .Node("Add", "add", ["e", "one"], "s")
            .Node("Mul", "mul", ["/fc1/Gemm_output_0", "s"], "p")
            .Node("Mul", "scale", ["p", "c"], "a");

        OnnxFormatException e = Assert.Throws<OnnxFormatException>(() =>
            OnnxImport.FromOnnx(SecondLayer(graph, "a").Build(), "model.onnx"));

        Assert.Equal(("mul", "Mul"), (e.Node, e.OpType));
        Assert.Contains("a branch", e.Message, StringComparison.Ordinal);
        Assert.Contains("these nodes compute 0.6·(erf(0.707107·z) + 1)·z", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFormulaReadingAnotherValueThanTheLayersOutputIsRefused()
    {
        // The same shape as GELU, but the Div reads the graph's input: not a function of z alone.
        GraphBuilder graph = new GraphBuilder().Input("input", Hidden).Output("output", Outputs)
            .Initializer("fc1.weight", Values(Hidden * Hidden, seed: 1), Hidden, Hidden)
            .Node("Gemm", "/fc1/Gemm", ["input", "fc1.weight"], "z", Int("transB", 1))
            .Initializer("sqrt2", [1.4142135f]).Initializer("one", [1f]).Initializer("half", [0.5f])
            .Node("Div", "div", ["input", "sqrt2"], "d")
            .Node("Erf", "erf", ["d"], "e")
            .Node("Add", "add", ["e", "one"], "s")
            .Node("Mul", "mul", ["z", "s"], "p")
            .Node("Mul", "scale", ["p", "half"], "a");

        OnnxFormatException e = Assert.Throws<OnnxFormatException>(() =>
            OnnxImport.FromOnnx(SecondLayer(graph, "a").Build(), "model.onnx"));

        Assert.Equal("Div", e.OpType);
        Assert.Contains("a branch", e.Message, StringComparison.Ordinal);
    }

    private static void AssertImportsAsRuntimeComputes(ModelProto onnx, Activation expected)
    {
        Model.Model model = OnnxImport.FromOnnx(onnx, "torch.onnx");

        Assert.Equal($"{Inputs}-{Hidden}-{Outputs}", model.Spec.ToString());
        Assert.Equal([expected, Activation.Identity], model.Spec.Layers.Select(l => l.Activation));
        float[] features = Values(TestNetworks.Rows * Inputs, seed: 30);
        float[] runtime = OnnxRuntimeRunner.Run(onnx, features, Inputs, ["output"], input: "input")["output"];
        double[] bounds = ForwardErrorBound.Outputs(model, features);
        foreach ((string backend, float[] outputs) in TestNetworks.Predictions(model, features))
        {
            Expect.Within(outputs, runtime, bounds, $"{backend}: output");
        }
    }

    // nn.Linear(5, 7) as PyTorch writes it; its output is z.
    private static GraphBuilder FirstLayer() => new GraphBuilder().Input("input", Inputs).Output("output", Outputs)
        .Initializer("fc1.weight", Values(Hidden * Inputs, seed: 1), Hidden, Inputs)
        .Initializer("fc1.bias", Values(Hidden, seed: 2), Hidden)
        .Node("Gemm", "/fc1/Gemm", ["input", "fc1.weight", "fc1.bias"], "/fc1/Gemm_output_0", Int("transB", 1));

    // nn.Linear(7, 3) reading the activation.
    private static GraphBuilder SecondLayer(GraphBuilder graph, string activation) => graph
        .Initializer("fc2.weight", Values(Outputs * Hidden, seed: 3), Outputs, Hidden)
        .Initializer("fc2.bias", Values(Outputs, seed: 4), Outputs)
        .Node("Gemm", "/fc2/Gemm", [activation, "fc2.weight", "fc2.bias"], "output", Int("transB", 1));

    // Values uniform in ±1: pre-activations of a few units, where GELU is far from both of its linear asymptotes.
    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
    }
}
