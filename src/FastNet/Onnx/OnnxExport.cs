using System.Text.Json;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using Google.Protobuf;
using Onnx;

namespace FastNet.Onnx;

/// <summary>
/// Writes a model as a standard ONNX graph (<see cref="OnnxLayout"/>) that any ONNX runtime evaluates on raw
/// features: the recorded preprocessing is part of the graph, each layer is a Gemm (MatMul without biases) with
/// its weights stored as [inputs, units] exactly as FastNet keeps them, and a classifier gives both its logits and
/// its softmax probabilities.
/// </summary>
public static class OnnxExport
{
    /// <summary>The most bytes of parameters and preprocessing statistics one ONNX file holds: a protobuf message
    /// is at most 2 GiB, and 1 MiB of it is left for the graph's nodes, names and metadata.</summary>
    public const long MaxTensorBytes = int.MaxValue - (1L << 20);

    /// <summary>Throws an <see cref="ArgumentException"/> when a network of <paramref name="spec"/> is too large for
    /// one ONNX file (<see cref="MaxTensorBytes"/>), which <see cref="ToOnnx"/> checks first.</summary>
    public static void RequireFits(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long bytes = sizeof(float) * ((long)spec.ParameterCount + 2L * spec.Inputs);
        if (bytes > MaxTensorBytes)
        {
            throw new ArgumentException($"the network {spec} has {spec.ParameterCount} parameters ({bytes} bytes with its "
                + $"preprocessing), more than one ONNX file holds ({MaxTensorBytes} bytes: protobuf's 2 GiB less the graph)");
        }
    }

    /// <summary>The ONNX model for <paramref name="model"/>. With <paramref name="softmaxOutputs"/> the last layer's
    /// values are named logits and a Softmax adds the probabilities; otherwise they are the one output.</summary>
    /// <exception cref="ArgumentException">The model is too large for one ONNX file.</exception>
    public static ModelProto ToOnnx(Model.Model model, bool softmaxOutputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        NetworkSpec spec = model.Spec;
        RequireFits(spec);
        var graph = new GraphProto { Name = $"fastnet-mlp-{spec}" };
        graph.Input.Add(Matrix(OnnxLayout.Input, spec.Inputs));
        string x = AddPreprocessing(graph, model.Metadata.Scaling ?? InputScaling.None, spec.Inputs);
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            bool last = l == spec.Layers.Count - 1;
            x = AddLayer(graph, model, l, last ? (softmaxOutputs ? OnnxLayout.Logits : OnnxLayout.Output) : null, x);
        }
        graph.Output.Add(Matrix(x, spec.Outputs));
        if (softmaxOutputs)
        {
            graph.Node.Add(Node("Softmax", "softmax", [x], OnnxLayout.Probabilities, IntAttribute("axis", -1)));
            graph.Output.Add(Matrix(OnnxLayout.Probabilities, spec.Outputs));
        }

        var onnx = new ModelProto
        {
            IrVersion = OnnxLayout.IrVersion,
            ProducerName = "FastNet",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"FastNet multilayer perceptron {spec}",
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxLayout.OpsetVersion });
        AddMetadata(onnx, model.Metadata);
        return onnx;
    }

    /// <summary>Writes the ONNX file atomically (see <see cref="AtomicFile"/>).</summary>
    public static void Write(Model.Model model, bool softmaxOutputs, string path) =>
        Write(model, softmaxOutputs, path, CancellationToken.None);

    /// <summary><see cref="Write(Model.Model, bool, string)"/> that <paramref name="cancel"/> can stop before the file
    /// replaces <paramref name="path"/> (see <see cref="AtomicFile.Write(string, Action{Stream}, CancellationToken)"/>).</summary>
    public static void Write(Model.Model model, bool softmaxOutputs, string path, CancellationToken cancel)
    {
        ModelProto onnx = ToOnnx(model, softmaxOutputs);
        AtomicFile.Write(path, stream => onnx.WriteTo(stream), cancel);
    }

    // Sub and Div rather than folding the scaling into the first layer's weights: the runtime then performs the very
    // float operations FastNet performs ((x − mean) / std, x / divisor), so its first layer sees the same bits, and
    // the weights stay the trained ones, which the importer reads back unchanged.
    private static string AddPreprocessing(GraphProto graph, InputScaling scaling, int inputs)
    {
        switch (scaling)
        {
            case DivideScaling divide:
                graph.Initializer.Add(OnnxTensors.Floats("preprocessing.divisor", [divide.Divisor]));
                graph.Node.Add(Node("Div", "preprocessing.divide", [OnnxLayout.Input, "preprocessing.divisor"],
                    OnnxLayout.ScaledInput));
                return OnnxLayout.ScaledInput;
            case StandardizeScaling standardize:
                Standardizer s = standardize.Standardizer;
                graph.Initializer.Add(OnnxTensors.Floats("preprocessing.mean", [.. s.Mean], inputs));
                graph.Initializer.Add(OnnxTensors.Floats("preprocessing.std", [.. s.Scale], inputs));
                graph.Node.Add(Node("Sub", "preprocessing.centre", [OnnxLayout.Input, "preprocessing.mean"],
                    "centred"));
                graph.Node.Add(Node("Div", "preprocessing.scale", ["centred", "preprocessing.std"],
                    OnnxLayout.ScaledInput));
                return OnnxLayout.ScaledInput;
            default:
                return OnnxLayout.Input;
        }
    }

    // Layer l as Gemm(x, W, b) or MatMul(x, W), then its activation (none for identity); returns the output's name,
    // which is finalName for the last layer.
    private static string AddLayer(GraphProto graph, Model.Model model, int l, string? finalName, string x)
    {
        NetworkSpec spec = model.Spec;
        LayerSpec layer = spec.Layers[l];
        string name = $"layer{l + 1}";
        int inputs = spec.InputsOf(l);
        // FastNet's W is [inputs, units] row-major: Gemm's B without transposition.
        graph.Initializer.Add(OnnxTensors.Floats($"{name}.weight",
            model.Parameters.AsSpan(spec.WeightOffset(l), inputs * layer.Units), inputs, layer.Units));
        bool activated = layer.Activation != Activation.Identity;
        string z = activated || finalName is null ? $"{name}.z" : finalName;
        if (layer.HasBias)
        {
            graph.Initializer.Add(OnnxTensors.Floats($"{name}.bias",
                model.Parameters.AsSpan(spec.BiasOffset(l), layer.Units), layer.Units));
            graph.Node.Add(Node("Gemm", $"{name}.gemm", [x, $"{name}.weight", $"{name}.bias"], z));
        }
        else
        {
            graph.Node.Add(Node("MatMul", $"{name}.matmul", [x, $"{name}.weight"], z));
        }
        if (!activated)
        {
            return z;
        }
        string a = finalName ?? $"{name}.a";
        switch (layer.Activation.Kind)
        {
            case ActivationKind.Relu: graph.Node.Add(Node("Relu", $"{name}.relu", [z], a)); break;
            case ActivationKind.Sigmoid: graph.Node.Add(Node("Sigmoid", $"{name}.sigmoid", [z], a)); break;
            case ActivationKind.Tanh: graph.Node.Add(Node("Tanh", $"{name}.tanh", [z], a)); break;
            case ActivationKind.LeakyRelu:
                graph.Node.Add(Node("LeakyRelu", $"{name}.leakyrelu", [z], a,
                    FloatAttribute("alpha", layer.Activation.Slope)));
                break;
            case ActivationKind.Gelu: AddGelu(graph, name, z, a); break;
            case ActivationKind.GeluTanh: AddGeluTanh(graph, name, z, a); break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layer), layer.Activation, "no ONNX operator for it");
        }
        return a;
    }

    // Opset 13 has no Gelu operator (it came in opset 20): a = z·½·(1 + erf(z/√2)), from Div, Erf, Add and Mul
    private static void AddGelu(GraphProto graph, string name, string z, string a)
    {
        graph.Initializer.Add(OnnxTensors.Floats($"{name}.sqrt2", [MathF.Sqrt(2)]));
        graph.Initializer.Add(OnnxTensors.Floats($"{name}.one", [1f]));
        graph.Initializer.Add(OnnxTensors.Floats($"{name}.half", [0.5f]));
        graph.Node.Add(Node("Div", $"{name}.gelu.div", [z, $"{name}.sqrt2"], $"{name}.gelu.scaled"));
        graph.Node.Add(Node("Erf", $"{name}.gelu.erf", [$"{name}.gelu.scaled"], $"{name}.gelu.erf"));
        graph.Node.Add(Node("Add", $"{name}.gelu.add", [$"{name}.gelu.erf", $"{name}.one"], $"{name}.gelu.sum"));
        graph.Node.Add(Node("Mul", $"{name}.gelu.mul", [z, $"{name}.gelu.sum"], $"{name}.gelu.product"));
        graph.Node.Add(Node("Mul", $"{name}.gelu.halve", [$"{name}.gelu.product", $"{name}.half"], a));
    }

    // a = ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), from Mul, Add and Tanh
    private static void AddGeluTanh(GraphProto graph, string name, string z, string a)
    {
        string p = $"{name}.gelutanh";
        graph.Initializer.Add(OnnxTensors.Floats($"{p}.cubic", [0.044715f]));
        graph.Initializer.Add(OnnxTensors.Floats($"{p}.scale", [0.7978845608028654f]));
        graph.Initializer.Add(OnnxTensors.Floats($"{p}.one", [1f]));
        graph.Initializer.Add(OnnxTensors.Floats($"{p}.half", [0.5f]));
        graph.Node.Add(Node("Mul", $"{p}.square", [z, z], $"{p}.z2"));
        graph.Node.Add(Node("Mul", $"{p}.cube", [$"{p}.z2", z], $"{p}.z3"));
        graph.Node.Add(Node("Mul", $"{p}.mulcubic", [$"{p}.z3", $"{p}.cubic"], $"{p}.cz3"));
        graph.Node.Add(Node("Add", $"{p}.inner", [z, $"{p}.cz3"], $"{p}.u0"));
        graph.Node.Add(Node("Mul", $"{p}.mulscale", [$"{p}.u0", $"{p}.scale"], $"{p}.u"));
        graph.Node.Add(Node("Tanh", $"{p}.tanh", [$"{p}.u"], $"{p}.t"));
        graph.Node.Add(Node("Add", $"{p}.add", [$"{p}.t", $"{p}.one"], $"{p}.sum"));
        graph.Node.Add(Node("Mul", $"{p}.mul", [z, $"{p}.sum"], $"{p}.product"));
        graph.Node.Add(Node("Mul", $"{p}.halve", [$"{p}.product", $"{p}.half"], a));
    }

    private static void AddMetadata(ModelProto onnx, ModelMetadata metadata)
    {
        if (metadata.Scaling is InputScaling scaling)
        {
            onnx.MetadataProps.Add(Entry(OnnxLayout.PreprocessingKey, scaling.Describe()));
        }
        if (metadata.Loss is LossKind loss)
        {
            onnx.MetadataProps.Add(Entry(OnnxLayout.LossKey, Names.Of(loss)));
        }
        if (metadata.ClassNames is { } classes)
        {
            onnx.MetadataProps.Add(Entry(OnnxLayout.ClassesKey, JsonSerializer.Serialize(classes)));
        }
        if (metadata.TargetNames is { } targets)
        {
            onnx.MetadataProps.Add(Entry(OnnxLayout.TargetsKey, JsonSerializer.Serialize(targets)));
        }
        if (metadata.Data is not null)
        {
            onnx.MetadataProps.Add(Entry(OnnxLayout.DataKey, ModelMetadataJson.DataObject(metadata.Data)));
        }
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };

    private static NodeProto Node(string op, string name, string[] inputs, string output,
        params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto FloatAttribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    // A float tensor of [batch, columns] with a symbolic batch dimension.
    private static ValueInfoProto Matrix(string name, int columns) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = OnnxTensors.FloatType,
                Shape = new TensorShapeProto
                {
                    Dim =
                    {
                        new TensorShapeProto.Types.Dimension { DimParam = OnnxLayout.BatchDimension },
                        new TensorShapeProto.Types.Dimension { DimValue = columns },
                    },
                },
            },
        },
    };
}
