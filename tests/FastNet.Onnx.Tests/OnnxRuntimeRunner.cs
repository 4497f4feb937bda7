using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace FastNet.Onnx.Tests;

/// <summary>Evaluates an ONNX model in ONNX Runtime, the independent runtime the exported graphs are checked with.</summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>The named outputs of <paramref name="model"/> for <paramref name="features"/> ([rows, inputs]) fed to
    /// its input <paramref name="input"/>.</summary>
    public static Dictionary<string, float[]> Run(ModelProto model, float[] features, int inputs,
        IReadOnlyList<string> outputs, string input = OnnxLayout.Input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var value = OrtValue.CreateTensorValueFromMemory(features, [features.Length / inputs, inputs]);
        using var run = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(run, [input], [value], outputs);
        var named = new Dictionary<string, float[]>();
        for (int k = 0; k < outputs.Count; k++)
        {
            named[outputs[k]] = results[k].GetTensorDataAsSpan<float>().ToArray();
        }
        return named;
    }
}
