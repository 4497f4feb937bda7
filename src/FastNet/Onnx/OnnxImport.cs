using System.Text.Json;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using Google.Protobuf;
using Onnx;

namespace FastNet.Onnx;

/// <summary>
/// Reads a multilayer perceptron from an ONNX file, e.g. one exported by PyTorch or Keras or by
/// <see cref="OnnxExport"/>, so it can be fine-tuned or evaluated in FastNet. The graph must be one chain from its
/// single input to its output (see <see cref="OnnxChainBuilder"/> for the operators); the weights must be
/// initializers. A final Softmax makes the model a classifier trained with cross-entropy on the layer's logits;
/// FastNet's own metadata (<see cref="OnnxLayout"/> keys) supplies class and target names when present.
/// </summary>
public static class OnnxImport
{
    /// <summary>Reads an ONNX file; throws <see cref="OnnxFormatException"/> naming the file, node and
    /// operator.</summary>
    public static Model.Model Read(string path)
    {
        ModelProto onnx;
        try
        {
            // The guarded reader refuses directories and devices and stops at protobuf's own 2 GiB message limit.
            using GuardedStream stream = GuardedFile.OpenRead(path, MaxBytes,
                (problem, inner) => new OnnxFormatException(path, problem, inner: inner), decompress: false);
            onnx = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e) // an IOException too: caught first
        {
            throw new OnnxFormatException(path, $"not an ONNX model ({e.Message})", inner: e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxFormatException(path, $"cannot read the file ({e.Message})", inner: e);
        }
        Model.Model model = FromOnnx(onnx, path);
        int bad = Array.FindIndex(model.Parameters, v => !float.IsFinite(v));
        return bad < 0 ? model : throw new OnnxFormatException(path,
            $"{ParameterNames.Of(model.Spec, bad)} is {model.Parameters[bad]}: expected finite parameters");
    }

    /// <summary>The largest ONNX file read: protobuf's limit for one message.</summary>
    public const long MaxBytes = int.MaxValue;

    /// <summary>The FastNet model of <paramref name="onnx"/>; <paramref name="file"/> names it in errors.</summary>
    public static Model.Model FromOnnx(ModelProto onnx, string file)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        GraphProto graph = onnx.Graph ?? throw new OnnxFormatException(file, "the model has no graph");
        var initializers = new Dictionary<string, TensorProto>();
        // ONNX assigns each name once; a second definition would otherwise replace the first without a word.
        foreach (TensorProto tensor in graph.Initializer)
        {
            if (!initializers.TryAdd(tensor.Name, tensor))
            {
                throw new OnnxFormatException(file,
                    $"initializer {QuotedText.Of(tensor.Name)} is defined twice; ONNX assigns each name once");
            }
        }
        var producers = new Dictionary<string, NodeProto>();
        var consumers = new Dictionary<string, List<NodeProto>>();
        foreach (NodeProto node in graph.Node)
        {
            foreach (string output in node.Output.Where(o => o.Length > 0)) // an empty name is an omitted output
            {
                if (initializers.ContainsKey(output) || !producers.TryAdd(output, node))
                {
                    throw OnnxFormatException.At(file, node, $"computes {QuotedText.Of(output)}, which "
                        + (initializers.ContainsKey(output) ? "is an initializer"
                            : $"node {QuotedText.Of(producers[output].Name)} computes") + " too; ONNX assigns each name once");
                }
            }
            foreach (string input in node.Input.Where(i => i.Length > 0).Distinct())
            {
                (consumers.TryGetValue(input, out List<NodeProto>? list) ? list : consumers[input] = []).Add(node);
            }
        }
        // Before IR version 4 initializers were listed among the inputs too. The first input is the features; a
        // node that takes another as its weights is reported by the walk below, naming the node.
        ValueInfoProto[] inputs = [.. graph.Input.Where(i => !initializers.ContainsKey(i.Name))];
        if (inputs.Length == 0)
        {
            throw new OnnxFormatException(file, "the graph has no input");
        }

        // the standard domain's opset, where the file names one
        long? opset = onnx.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version;
        var builder = new OnnxChainBuilder(file, initializers, producers, opset);
        var chain = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        string current = inputs[0].Name;
        string? logits = null;
        while (consumers.TryGetValue(current, out List<NodeProto>? next))
        {
            if (next.Count > 1)
            {
                // The one branching FastNet reads: GELU written out in elementwise operators.
                GeluSubgraph gelu = GeluSubgraph.TryMatch(current, consumers, producers, initializers,
                    graph.Output.Select(o => o.Name), out string? formula)
                    ?? throw OnnxFormatException.At(file, next[1], $"{QuotedText.Of(current)} also feeds node {QuotedText.Of(next[0].Name)} "
                        + $"({QuotedText.Bare(next[0].OpType)}): a branch; FastNet imports a single chain of layers, with GELU's "
                        + "erf or tanh formula the only branching"
                        + (formula is null ? "" : $" (these nodes compute {formula}, with z = {QuotedText.Of(current)})"));
                chain.UnionWith(gelu.Nodes);
                builder.AcceptActivation(gelu.Last, gelu.Activation);
                current = gelu.Output;
                continue;
            }
            NodeProto node = next[0];
            if (!chain.Add(node))
            {
                throw OnnxFormatException.At(file, node, "closes a cycle");
            }
            builder.Accept(node, current);
            logits = node.OpType == "Softmax" ? current : logits;
            current = node.Output[0];
        }
        if (graph.Node.FirstOrDefault(n => !chain.Contains(n)) is NodeProto stray)
        {
            throw OnnxFormatException.At(file, stray, $"not on the chain from {QuotedText.Of(inputs[0].Name)} to the output; "
                + "FastNet imports a single chain of layers");
        }
        if (inputs.Length > 1)
        {
            throw new OnnxFormatException(file, $"the graph has {inputs.Length} inputs "
                + $"({string.Join(", ", inputs.Select(i => QuotedText.Of(i.Name)))}); FastNet imports one, the features");
        }
        CheckOutputs(graph, file, current, logits, producers);

        (NetworkSpec spec, float[] parameters, InputScaling? scaling) = builder.Finish();
        CheckInput(inputs[0], spec.Inputs, file);
        return new Model.Model(spec, parameters) { Metadata = Metadata(onnx, file, spec, scaling, builder.HasSoftmax) };
    }

    // The chain's end is an output; the only other output allowed is the logits before a final Softmax.
    private static void CheckOutputs(GraphProto graph, string file, string end, string? logits,
        Dictionary<string, NodeProto> producers)
    {
        if (!graph.Output.Any(o => o.Name == end))
        {
            throw new OnnxFormatException(file, $"the chain ends at {QuotedText.Of(end)}, which is not an output of the graph");
        }
        foreach (ValueInfoProto output in graph.Output.Where(o => o.Name != end && o.Name != logits))
        {
            string problem = $"output {QuotedText.Of(output.Name)} is not the end of the chain; FastNet imports a network with one "
                + "output (and its logits before a final Softmax)";
            throw producers.TryGetValue(output.Name, out NodeProto? producer)
                ? OnnxFormatException.At(file, producer, problem)
                : new OnnxFormatException(file, problem);
        }
    }

    private static void CheckInput(ValueInfoProto input, int features, string file)
    {
        if (input.Type is null)
        {
            return;
        }
        TypeProto.Types.Tensor tensor = input.Type.TensorType
            ?? throw new OnnxFormatException(file, $"input {QuotedText.Of(input.Name)} is not a tensor");
        if (tensor.ElemType is not (0 or OnnxTensors.FloatType))
        {
            throw new OnnxFormatException(file,
                $"input {QuotedText.Of(input.Name)} holds {(TensorProto.Types.DataType)tensor.ElemType} values; FastNet takes "
                + "float");
        }
        if (tensor.Shape is null)
        {
            return;
        }
        if (tensor.Shape.Dim.Count != 2)
        {
            throw new OnnxFormatException(file,
                $"input {QuotedText.Of(input.Name)} has {tensor.Shape.Dim.Count} dimensions; FastNet takes [batch, features]");
        }
        if (tensor.Shape.Dim[1].HasDimValue && tensor.Shape.Dim[1].DimValue != features)
        {
            throw new OnnxFormatException(file, $"input {QuotedText.Of(input.Name)} has {tensor.Shape.Dim[1].DimValue} features; "
                + $"the first layer takes {features}");
        }
    }

    // The graph decides what it computes (preprocessing, softmax); FastNet's metadata adds names and the loss.
    private static ModelMetadata Metadata(ModelProto onnx, string file, NetworkSpec spec, InputScaling? scaling,
        bool softmax)
    {
        var properties = new Dictionary<string, string>();
        foreach (StringStringEntryProto entry in onnx.MetadataProps)
        {
            if (!properties.TryAdd(entry.Key, entry.Value))
            {
                throw new OnnxFormatException(file, $"metadata {QuotedText.Of(entry.Key)} appears twice; each key may appear once");
            }
        }
        LossKind? loss = null;
        if (properties.TryGetValue(OnnxLayout.LossKey, out string? lossName))
        {
            try
            {
                loss = Names.ParseLoss(lossName);
            }
            catch (FormatException e)
            {
                throw new OnnxFormatException(file, $"metadata '{OnnxLayout.LossKey}': {e.Message}", inner: e);
            }
            // as a model file's loss is checked against its layers: a cross-entropy over, say, sigmoid outputs would
            // predict the softmax of those outputs, which is not what the graph computes
            if (!softmax && spec.LossMismatch(loss.Value) is string mismatch)
            {
                throw new OnnxFormatException(file, $"metadata '{OnnxLayout.LossKey}' says {lossName}, but {mismatch}");
            }
        }
        return new ModelMetadata
        {
            // A FastNet file records its preprocessing in words even when that is none; other files say nothing.
            Scaling = scaling ?? (properties.ContainsKey(OnnxLayout.PreprocessingKey) ? InputScaling.None : null),
            Loss = softmax ? LossKind.SoftmaxCrossEntropy : loss,
            ClassNames = OutputNames(properties, OnnxLayout.ClassesKey, spec.Outputs, file),
            TargetNames = OutputNames(properties, OnnxLayout.TargetsKey, spec.Outputs, file),
            Data = properties.TryGetValue(OnnxLayout.DataKey, out string? data) ? TrainingData(data, file) : null,
        };
    }

    private static TrainingDataSource? TrainingData(string json, string file)
    {
        try
        {
            return ModelMetadataJson.ReadDataObject(json, $"{file}, metadata '{OnnxLayout.DataKey}'");
        }
        catch (ModelFormatException e)
        {
            throw new OnnxFormatException(file, e.Message, inner: e);
        }
    }

    private static string[]? OutputNames(Dictionary<string, string> properties, string key, int outputs, string file)
    {
        if (!properties.TryGetValue(key, out string? json))
        {
            return null;
        }
        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException e)
        {
            throw new OnnxFormatException(file, $"metadata '{key}': not a JSON array of names "
                + $"({JsonSyntaxError.Describe(e)})", inner: e);
        }
        if (names is null || names.Length != outputs || names.Any(n => n is null))
        {
            throw new OnnxFormatException(file, $"metadata '{key}': expected {outputs} names, one per output");
        }
        for (int i = 0; i < names.Length; i++)
        {
            if (OutputName.Problem(names[i], key == OnnxLayout.ClassesKey ? "a class name" : "a target name") is string problem)
            {
                throw new OnnxFormatException(file, $"metadata '{key}', name {i + 1}: {problem}");
            }
        }
        return names;
    }
}
