using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Google.Protobuf;
using Onnx;
using Xunit;

namespace FastNet.Onnx.Tests;

/// <summary>ONNX Runtime evaluates every exported graph to what <c>fastnet predict</c> computes, within the
/// tolerance rule.</summary>
public class ExportedModelRuntimeTests
{
    [Theory]
    [MemberData(nameof(TestNetworks.ActivationsBiasesAndScalings), MemberType = typeof(TestNetworks))]
    public void TheRuntimeComputesWhatPredictComputes(Activation activation, bool biases, string scaling)
    {
        // 7 inputs, hidden layers of 33 and 17, 5 outputs: every layer with the activation under test
        var spec = new NetworkSpec(7, [new LayerSpec(33, activation, biases), new LayerSpec(17, activation, biases),
            new LayerSpec(5, activation, biases)]);
        (float[] features, Data.InputScaling recorded) = TestNetworks.Features(scaling, spec.Inputs, seed: 3);
        Model.Model model = TestNetworks.Random(spec, seed: 11, new ModelMetadata { Scaling = recorded });

        float[] runtime = OnnxRuntimeRunner.Run(OnnxExport.ToOnnx(model, softmaxOutputs: false), features, spec.Inputs,
            [OnnxLayout.Output])[OnnxLayout.Output];

        double[] bounds = ForwardErrorBound.Outputs(model, TestNetworks.Scaled(model, features));
        foreach ((string backend, float[] predicted) in TestNetworks.Predictions(model, features))
        {
            Expect.Within(predicted, runtime, bounds, $"{backend}: output");
        }
    }

    [Theory]
    [MemberData(nameof(TestNetworks.BiasesAndScalings), MemberType = typeof(TestNetworks))]
    public void AClassifierGivesItsLogitsAndTheirSoftmaxProbabilities(bool biases, string scaling)
    {
        var spec = new NetworkSpec(7, [new LayerSpec(17, Activation.Relu, biases),
            new LayerSpec(3, Activation.Identity, biases)]);
        (float[] features, Data.InputScaling recorded) = TestNetworks.Features(scaling, spec.Inputs, seed: 4);
        var metadata = new ModelMetadata
        {
            Scaling = recorded,
            Loss = LossKind.SoftmaxCrossEntropy,
            ClassNames = ["cat", "dog", "bird"],
        };
        Model.Model model = TestNetworks.Random(spec, seed: 12, metadata);

        Dictionary<string, float[]> runtime = OnnxRuntimeRunner.Run(OnnxExport.ToOnnx(model, softmaxOutputs: true),
            features, spec.Inputs, [OnnxLayout.Logits, OnnxLayout.Probabilities]);

        double[] logitBounds = ForwardErrorBound.Outputs(model, TestNetworks.Scaled(model, features));
        foreach ((string backend, float[] logits) in TestNetworks.Predictions(model, features))
        {
            Expect.Within(logits, runtime[OnnxLayout.Logits], logitBounds, $"{backend}: logits");
            float[] probabilities = Inference.Softmax(logits, spec.Outputs);
            Expect.Within(probabilities, runtime[OnnxLayout.Probabilities],
                ForwardErrorBound.Probabilities(logitBounds, probabilities, spec.Outputs), $"{backend}: probabilities");
        }
    }

    [Theory]
    [InlineData("divide")]
    [InlineData("standardize")]
    public void TheFoldedPreprocessingReproducesFastNetsArithmeticBitForBit(string scaling)
    {
        var spec = new NetworkSpec(13, [new LayerSpec(2, Activation.Sigmoid)]);
        (float[] features, Data.InputScaling recorded) = TestNetworks.Features(scaling, spec.Inputs, seed: 5);
        Model.Model model = TestNetworks.Random(spec, seed: 13, new ModelMetadata { Scaling = recorded });
        ModelProto onnx = OnnxExport.ToOnnx(model, softmaxOutputs: false);
        // Expose the first layer's input as an extra output.
        onnx.Graph.Output.Add(new ValueInfoProto { Name = OnnxLayout.ScaledInput });

        float[] runtime = OnnxRuntimeRunner.Run(onnx, features, spec.Inputs, [OnnxLayout.ScaledInput])
            [OnnxLayout.ScaledInput];

        Expect.SameBits(TestNetworks.Scaled(model, features), runtime, "scaled input");
    }

    [Fact]
    public void TheGraphHasASymbolicBatchOpset13AndTheModelsNamesInItsMetadata()
    {
        var spec = new NetworkSpec(4, [new LayerSpec(3, Activation.Identity)]);
        var metadata = new ModelMetadata
        {
            Scaling = new Data.DivideScaling(16),
            Loss = LossKind.SoftmaxCrossEntropy,
            ClassNames = ["a", "b,c", "\"d\""],
        };
        Model.Model model = TestNetworks.Random(spec, seed: 1, metadata);

        ModelProto onnx = ModelProto.Parser.ParseFrom(OnnxExport.ToOnnx(model, softmaxOutputs: true).ToByteArray());

        Assert.Equal(OnnxLayout.OpsetVersion, Assert.Single(onnx.OpsetImport).Version);
        ValueInfoProto input = Assert.Single(onnx.Graph.Input);
        Assert.Equal(OnnxLayout.Input, input.Name);
        Assert.Equal(OnnxLayout.BatchDimension, input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(4, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal([OnnxLayout.Logits, OnnxLayout.Probabilities], onnx.Graph.Output.Select(o => o.Name));
        Assert.Equal(["Div", "Gemm", "Softmax"], onnx.Graph.Node.Select(n => n.OpType));
        var properties = onnx.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("divide by 16", properties[OnnxLayout.PreprocessingKey]);
        Assert.Equal("cross-entropy", properties[OnnxLayout.LossKey]);
        Assert.Equal("[\"a\",\"b,c\",\"\\u0022d\\u0022\"]", properties[OnnxLayout.ClassesKey]);
    }
}
