using FastNet.Cli;
using FastNet.Data;
using FastNet.Model;
using FastNet.Onnx;
using FastNet.Tests.Data;
using Google.Protobuf;
using Onnx;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>fastnet export</c> writes a trained model as ONNX, and <c>train --init</c> starts from an ONNX file.</summary>
public class OnnxCliTests
{
    private static string WriteData(TempDirectory dir) => ThreeClassCsv.Write(dir, seed: 7, rows: 200);

    private static CliRun Train(string data, params string[] more) => CliRun.Of([.. new[]
    {
        "train", "--data", data, "--seed", "3", "--layers", "8", "--epochs", "2", "--batch", "16", "--lr", "0.01",
        "--no-progress",
    }, .. more]);

    [Fact]
    public void ExportWritesTheTrainedModelWithItsPreprocessingAndClasses()
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        CliRun train = Train(data, "--scale", "standardize", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());

        CliRun export = CliRun.Of("export", "--model", dir.File("m.json"), "--onnx", dir.File("m.onnx"));

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("outputs logits, probabilities", export.Output, StringComparison.Ordinal);
        FastNet.Model.Model saved = ModelJson.Read(dir.File("m.json"));
        FastNet.Model.Model exported = OnnxImport.Read(dir.File("m.onnx"));
        Assert.Equal(saved.Spec.Layers, exported.Spec.Layers);
        Assert.Equal(saved.Parameters.Select(BitConverter.SingleToInt32Bits),
            exported.Parameters.Select(BitConverter.SingleToInt32Bits));
        Assert.IsType<StandardizeScaling>(exported.Metadata.Scaling);
        Assert.Equal(saved.Metadata.Scaling, exported.Metadata.Scaling);
        Assert.Equal(saved.Metadata.ClassNames, exported.Metadata.ClassNames);
    }

    [Fact]
    public void EvalAndPredictTakeTheOnnxExportAndGiveTheModelFilesNumbers()
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        CliRun train = Train(data, "--scale", "standardize", "--test-fraction", "0.25", "--save", dir.File("m.json"));
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Equal(0, CliRun.Of("export", "--model", dir.File("m.json"), "--onnx", dir.File("m.onnx")).ExitCode);

        // Both files record the data and split: eval needs no flag to score the same test examples.
        CliRun fromJson = CliRun.Of("eval", "--model", dir.File("m.json"));
        CliRun fromOnnx = CliRun.Of("eval", "--model", dir.File("m.onnx"));
        Assert.Contains("data.csv (test), 50 examples", fromOnnx.Output, StringComparison.Ordinal);
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.ToString());
        Assert.Equal(fromJson.Output.Replace("m.json", "m.onnx", StringComparison.Ordinal), fromOnnx.Output);

        string input = dir.Write("x.csv", "500,0.002,1.5\n-100,0.009,-2\n");
        Assert.Equal(0, CliRun.Of("predict", "--model", dir.File("m.json"), "--input", input, "--output", dir.File("a.csv")).ExitCode);
        Assert.Equal(0, CliRun.Of("predict", "--model", dir.File("m.onnx"), "--input", input, "--output", dir.File("b.csv")).ExitCode);
        Assert.Equal(File.ReadAllText(dir.File("a.csv")), File.ReadAllText(dir.File("b.csv")));
    }

    [Fact]
    public void TrainingFromTheOnnxExportGivesTheSameModelAsFromTheModelFile()
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        Assert.Equal(0, Train(data, "--save", dir.File("start.json")).ExitCode);
        Assert.Equal(0, CliRun.Of("export", "--model", dir.File("start.json"), "--onnx", dir.File("start.onnx")).ExitCode);

        CliRun fromJson = Train(data, "--init", dir.File("start.json"), "--save", dir.File("a.json"));
        CliRun fromOnnx = Train(data, "--init", dir.File("start.onnx"), "--save", dir.File("b.json"));

        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.ToString());
        Assert.Equal(File.ReadAllText(dir.File("a.json")), File.ReadAllText(dir.File("b.json")));
    }

    [Fact]
    public void TrainingFromAnOnnxFileWithAnUnsupportedOperatorFailsNamingTheNode()
    {
        using var dir = new TempDirectory();
        string data = WriteData(dir);
        Assert.Equal(0, Train(data, "--save", dir.File("m.json")).ExitCode);
        Assert.Equal(0, CliRun.Of("export", "--model", dir.File("m.json"), "--onnx", dir.File("m.onnx")).ExitCode);
        ModelProto onnx = ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.File("m.onnx")));
        NodeProto relu = onnx.Graph.Node.Single(n => n.OpType == "Relu");
        relu.OpType = "Elu";
        File.WriteAllBytes(dir.File("bad.onnx"), onnx.ToByteArray());

        CliRun run = Train(data, "--init", dir.File("bad.onnx"));

        Assert.Equal(FastNetCli.Failure, run.ExitCode);
        Assert.Contains($"fastnet: error: {dir.File("bad.onnx")}: node \"{relu.Name}\" (Elu): unsupported operator",
            run.Error, StringComparison.Ordinal);
    }
}
