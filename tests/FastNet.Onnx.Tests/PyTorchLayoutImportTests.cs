using FastNet.Kernels;
using FastNet.Training;
using Onnx;
using Xunit;
using static FastNet.Onnx.Tests.GraphBuilder;

namespace FastNet.Onnx.Tests;

/// <summary>
/// Networks in the layouts PyTorch's exporter writes import with every weight in place and predict what ONNX
/// Runtime computes from the same file: nn.Linear as Gemm with transB = 1 (weights [out, in]), and as MatMul with
/// weights [in, out] followed by Add(bias, x) (PyTorch) or Add(x, bias) (Keras).
/// </summary>
public class PyTorchLayoutImportTests
{
    [Fact]
    public void GemmWithTransposedWeightsImportsAndPredictsWhatTheRuntimeComputes()
    {
        // nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 4), nn.Tanh(), nn.Linear(4, 3), nn.Softmax(dim=1))
        int[] sizes = [5, 7, 4, 3];
        float[][] weights = [.. Enumerable.Range(0, 3).Select(l => Values(sizes[l + 1] * sizes[l], seed: l))];
        float[][] biases = [.. Enumerable.Range(0, 3).Select(l => Values(sizes[l + 1], seed: 10 + l))];
        ModelProto onnx = new GraphBuilder().Input("input", 5).Output("output", 3)
            .Initializer("0.weight", weights[0], 7, 5).Initializer("0.bias", biases[0], 7)
            .Initializer("2.weight", weights[1], 4, 7).Initializer("2.bias", biases[1], 4)
            .Initializer("4.weight", weights[2], 3, 4).Initializer("4.bias", biases[2], 3)
            .Node("Gemm", "/0/Gemm", ["input", "0.weight", "0.bias"], "/0/Gemm_output_0", Linear())
            .Node("Relu", "/1/Relu", ["/0/Gemm_output_0"], "/1/Relu_output_0")
            .Node("Gemm", "/2/Gemm", ["/1/Relu_output_0", "2.weight", "2.bias"], "/2/Gemm_output_0", Linear())
            .Node("Tanh", "/3/Tanh", ["/2/Gemm_output_0"], "/3/Tanh_output_0")
            .Node("Gemm", "/4/Gemm", ["/3/Tanh_output_0", "4.weight", "4.bias"], "/4/Gemm_output_0", Linear())
            .Node("Softmax", "/5/Softmax", ["/4/Gemm_output_0"], "output", Int("axis", 1))
            .Build();

        Model.Model model = OnnxImport.FromOnnx(onnx, "torch.onnx");

        Assert.Equal("5-7-4-3", model.Spec.ToString());
        Assert.Equal([Activation.Relu, Activation.Tanh, Activation.Identity],
            model.Spec.Layers.Select(l => l.Activation));
        Assert.Equal(LossKind.SoftmaxCrossEntropy, model.Metadata.Loss);
        for (int l = 0; l < 3; l++)
        {
            for (int j = 0; j < sizes[l + 1]; j++)
            {
                Assert.Equal(biases[l][j], model.Bias(l, j));
                for (int i = 0; i < sizes[l]; i++)
                {
                    Assert.Equal(weights[l][j * sizes[l] + i], model.Weight(l, j, i)); // PyTorch's W[j, i]
                }
            }
        }
        float[] features = Values(TestNetworks.Rows * 5, seed: 20);
        float[] runtime = OnnxRuntimeRunner.Run(onnx, features, 5, ["output"])["output"];
        double[] logitBounds = ForwardErrorBound.Outputs(model, features);
        foreach ((string backend, float[] logits) in TestNetworks.Predictions(model, features))
        {
            float[] probabilities = Inference.Softmax(logits, 3);
            Expect.Within(probabilities, runtime, ForwardErrorBound.Probabilities(logitBounds, probabilities, 3),
                $"{backend}: probabilities");
        }
    }

    [Fact]
    public void MatMulWithAddInEitherOrderImportsAndPredictsWhatTheRuntimeComputes()
    {
        float[] w1 = Values(5 * 7, seed: 1), b1 = Values(7, seed: 2);
        float[] w2 = Values(7 * 4, seed: 3), b2 = Values(4, seed: 4);
        float[] w3 = Values(4 * 2, seed: 5);
        ModelProto onnx = new GraphBuilder().Input("input", 5).Output("output", 2)
            .Initializer("onnx::MatMul_10", w1, 5, 7).Initializer("0.bias", b1, 7)
            .Initializer("onnx::MatMul_11", w2, 7, 4).Initializer("2.bias", b2, 1, 4)
            .Initializer("onnx::MatMul_12", w3, 4, 2)
            .Node("MatMul", "/0/MatMul", ["input", "onnx::MatMul_10"], "/0/MatMul_output_0")
            .Node("Add", "/0/Add", ["0.bias", "/0/MatMul_output_0"], "/0/Add_output_0")
            .Node("Sigmoid", "/1/Sigmoid", ["/0/Add_output_0"], "/1/Sigmoid_output_0")
            .Node("MatMul", "/2/MatMul", ["/1/Sigmoid_output_0", "onnx::MatMul_11"], "/2/MatMul_output_0")
            .Node("Add", "/2/Add", ["/2/MatMul_output_0", "2.bias"], "/2/Add_output_0")
            .Node("Identity", "/3/Identity", ["/2/Add_output_0"], "/3/Identity_output_0")
            .Node("MatMul", "/4/MatMul", ["/3/Identity_output_0", "onnx::MatMul_12"], "output")
            .Build();

        Model.Model model = OnnxImport.FromOnnx(onnx, "torch.onnx");

        Assert.Equal("5-7-4-2", model.Spec.ToString());
        Assert.Equal([Activation.Sigmoid, Activation.Identity, Activation.Identity],
            model.Spec.Layers.Select(l => l.Activation));
        Assert.Equal([true, true, false], model.Spec.Layers.Select(l => l.HasBias));
        Assert.Null(model.Metadata.Loss);
        Assert.Null(model.Metadata.Scaling);
        Assert.Equal(w1[3 * 7 + 6], model.Weight(0, 6, 3)); // MatMul's W[i, j]
        Assert.Equal(b2, Enumerable.Range(0, 4).Select(j => model.Bias(1, j)));
        float[] features = Values(TestNetworks.Rows * 5, seed: 21);
        float[] runtime = OnnxRuntimeRunner.Run(onnx, features, 5, ["output"])["output"];
        double[] bounds = ForwardErrorBound.Outputs(model, features);
        foreach ((string backend, float[] outputs) in TestNetworks.Predictions(model, features))
        {
            Expect.Within(outputs, runtime, bounds, $"{backend}: output");
        }
    }

    // Values uniform in ±1.
    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
    }

    // What PyTorch writes for nn.Linear.
    private static AttributeProto[] Linear() => [Float("alpha", 1), Float("beta", 1), Int("transB", 1)];
}
