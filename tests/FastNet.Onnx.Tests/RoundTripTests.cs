using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using Xunit;

namespace FastNet.Onnx.Tests;

/// <summary>An exported model imports back as the same network: parameters bit for bit, the same layers, and the
/// preprocessing, loss and names it records.</summary>
public class RoundTripTests
{
    [Theory]
    [MemberData(nameof(TestNetworks.ActivationsBiasesAndScalings), MemberType = typeof(TestNetworks))]
    public void ExportThenImportGivesIdenticalParameters(Activation activation, bool biases, string scaling)
    {
        var spec = new NetworkSpec(7, [new LayerSpec(33, activation, biases), new LayerSpec(5, activation, biases)]);
        (_, InputScaling recorded) = TestNetworks.Features(scaling, spec.Inputs, seed: 3);
        Model.Model model = TestNetworks.Random(spec, seed: 21,
            new ModelMetadata
            {
                Scaling = recorded,
                Loss = LossKind.MeanSquaredError,
                TargetNames = ["a", "b", "c", "d", "e"],
            });

        Model.Model imported = OnnxImport.FromOnnx(OnnxExport.ToOnnx(model, softmaxOutputs: false), "round trip");

        Assert.Equal(spec.Inputs, imported.Spec.Inputs);
        Assert.Equal(spec.Layers, imported.Spec.Layers);
        Expect.SameBits(model.Parameters, imported.Parameters, "parameters");
        Assert.Equal(recorded, imported.Metadata.Scaling);
        Assert.Equal(LossKind.MeanSquaredError, imported.Metadata.Loss);
        Assert.Equal(["a", "b", "c", "d", "e"], imported.Metadata.TargetNames);
        Assert.Null(imported.Metadata.ClassNames);
    }

    [Fact]
    public void AClassifierWrittenToAFileReadsBackWithItsClassNamesAndLoss()
    {
        var spec = new NetworkSpec(4,
            [new LayerSpec(6, Activation.Tanh, HasBias: false), new LayerSpec(3, Activation.Identity)]);
        var metadata = new ModelMetadata
        {
            Scaling = new DivideScaling(16),
            Loss = LossKind.SoftmaxCrossEntropy,
            ClassNames = ["zero", "one", "two, three"],
        };
        Model.Model model = TestNetworks.Random(spec, seed: 22, metadata);
        string path = Path.Combine(Path.GetTempPath(), $"fastnet-roundtrip-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExport.Write(model, softmaxOutputs: true, path);

            Model.Model imported = OnnxImport.Read(path);

            Assert.Equal(spec.Layers, imported.Spec.Layers);
            Expect.SameBits(model.Parameters, imported.Parameters, "parameters");
            Assert.Equal(new DivideScaling(16), imported.Metadata.Scaling);
            Assert.Equal(LossKind.SoftmaxCrossEntropy, imported.Metadata.Loss);
            Assert.Equal(["zero", "one", "two, three"], imported.Metadata.ClassNames);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AModelThatRecordsNoPreprocessingImportsAsUsingNone()
    {
        var spec = new NetworkSpec(2, [new LayerSpec(1, Activation.Sigmoid)]);
        Model.Model model = TestNetworks.Random(spec, seed: 23, new ModelMetadata { Scaling = InputScaling.None });

        Model.Model imported = OnnxImport.FromOnnx(OnnxExport.ToOnnx(model, softmaxOutputs: false), "round trip");

        Assert.Equal(InputScaling.None, imported.Metadata.Scaling);
        Assert.Null(imported.Metadata.Loss);
    }

    // protobuf writes no message past 2 GiB: a larger network is refused by name before anything is built or written
    [Fact]
    public void ANetworkTooLargeForOneOnnxFileIsRefusedBeforeExport()
    {
        var spec = new NetworkSpec(30_000, [new LayerSpec(20_000, Activation.Identity)]);

        var e = Assert.Throws<ArgumentException>(() => OnnxExport.RequireFits(spec));

        Assert.Equal($"the network 30000-20000 has 600020000 parameters (2400320000 bytes with its preprocessing), more "
            + $"than one ONNX file holds ({OnnxExport.MaxTensorBytes} bytes: protobuf's 2 GiB less the graph)", e.Message);
        OnnxExport.RequireFits(new NetworkSpec(784, [new LayerSpec(10, Activation.Identity)]));
    }
}
