using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace FastNet.Onnx.Tests;

/// <summary>Builds ONNX models node by node with OnnxSharp's classes, in the layouts other exporters write.</summary>
internal sealed class GraphBuilder
{
    private readonly GraphProto _graph = new() { Name = "main_graph" };

    /// <summary>A float input of [batch, features] with a symbolic batch dimension.</summary>
    public GraphBuilder Input(string name, int features)
    {
        _graph.Input.Add(Matrix(name, features));
        return this;
    }

    public GraphBuilder Output(string name, int columns)
    {
        _graph.Output.Add(Matrix(name, columns));
        return this;
    }

    /// <summary>A float initializer; <paramref name="values"/> row-major in <paramref name="dims"/>.</summary>
    public GraphBuilder Initializer(string name, float[] values, params long[] dims)
    {
        byte[] bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(bytes),
        };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return this;
    }

    public GraphBuilder Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    public ModelProto Build(long opset = 17)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "pytorch",
            ProducerVersion = "2.5.0",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    /// <summary>A Constant node holding one float of shape [], as PyTorch writes the literals of a formula.</summary>
    public GraphBuilder Constant(string output, float value)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        return Node("Constant", output.Replace("_output_0", "", StringComparison.Ordinal), [], output,
            new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor });
    }

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static ValueInfoProto Matrix(string name, int columns) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = new TensorShapeProto
                {
                    Dim =
                    {
                        new TensorShapeProto.Types.Dimension { DimParam = "batch_size" },
                        new TensorShapeProto.Types.Dimension { DimValue = columns },
                    },
                },
            },
        },
    };
}
