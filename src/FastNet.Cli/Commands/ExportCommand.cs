using System.CommandLine;
using FastNet.Onnx;

namespace FastNet.Cli.Commands;

/// <summary>
/// <c>fastnet export --onnx out.onnx --model model.json</c>: writes a model file or checkpoint as a standard ONNX
/// graph with its preprocessing folded in, so other runtimes compute what <c>predict</c> computes. A model whose
/// outputs are softmax logits (as <c>predict</c> decides) gets both "logits" and "probabilities" outputs.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model")
        {
            Description = "a model file (.json) or a checkpoint",
            Required = true,
        };
        var onnx = new Option<string>("--onnx")
        {
            Description = $"the ONNX file to write ({OptionTexts.FileOnly})",
            Required = true,
        };
        var command = new Command("export", "Write a model as an ONNX graph (opset 13, preprocessing included)")
        {
            model, onnx,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            string target = parse.GetValue(onnx)!;
            OutputTarget.CheckWritable(target, "--onnx");
            OutputTarget.CheckNotInput(target, "--onnx", parse.GetValue(model)!, "--model");
            ModelSource source = ModelSource.Load(parse.GetValue(model)!);
            string outputs = source.SoftmaxOutputs
                ? $"{OnnxLayout.Logits}, {OnnxLayout.Probabilities}"
                : OnnxLayout.Output;
            string scaling = source.Model.Metadata.Scaling?.Describe() ?? "none recorded";
            return InterruptibleOutput.Write(target,
                cancel => OnnxExport.Write(source.Model, source.SoftmaxOutputs, target, cancel),
                () => output.WriteLine($"wrote {target}: {OnnxLayout.Input} [{OnnxLayout.BatchDimension}, "
                    + $"{source.Model.Spec.Inputs}], preprocessing {scaling}, network {source.Model.Spec}, "
                    + $"outputs {outputs}"), error);
        }));
        return command;
    }
}
