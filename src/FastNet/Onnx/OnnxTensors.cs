using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace FastNet.Onnx;

/// <summary>float32 tensors to and from <see cref="TensorProto"/>: written as little-endian raw_data, read from
/// float_data or raw_data (never a tensor that holds both).</summary>
internal static class OnnxTensors
{
    public const int FloatType = (int)TensorProto.Types.DataType.Float;

    public static TensorProto Floats(string name, ReadOnlySpan<float> values, params ReadOnlySpan<long> dims)
    {
        byte[] bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }
        var tensor = new TensorProto
        {
            Name = name,
            DataType = FloatType,
            RawData = UnsafeByteOperations.UnsafeWrap(bytes),
        };
        tensor.Dims.AddRange(dims.ToArray());
        return tensor;
    }

    /// <summary>The values of a float tensor, or null with <paramref name="problem"/> saying why they cannot be
    /// read.</summary>
    public static float[]? TryRead(TensorProto tensor, out string problem)
    {
        problem = "";
        if (tensor.DataType != FloatType)
        {
            problem = $"holds {(TensorProto.Types.DataType)tensor.DataType} values, not float";
            return null;
        }
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            problem = "is stored in an external file, which FastNet does not read";
            return null;
        }
        if (tensor.Dims.Any(d => d < 0))
        {
            problem = $"has a negative dimension in its shape {Shape(tensor)}";
            return null;
        }
        // The declared shape is checked before it sizes anything: a product past one array (or wrapping past a
        // long, which multiplying by the float size can turn into 0) is refused, not allocated.
        long count = tensor.Dims.Contains(0) ? 0 : 1;
        foreach (long d in tensor.Dims)
        {
            if (count > 0 && d > Array.MaxLength / count)
            {
                problem = $"has a shape of {Shape(tensor)}: more values than one array holds ({Array.MaxLength})";
                return null;
            }
            count *= d;
        }
        if (tensor.FloatData.Count > 0 && !tensor.RawData.IsEmpty)
        {
            // ONNX allows one of the two; ONNX Runtime reads raw_data, so taking float_data would run other weights
            problem = "holds both float_data and raw_data (ONNX allows only one; which is meant is ambiguous)";
            return null;
        }
        if (tensor.FloatData.Count > 0)
        {
            if (tensor.FloatData.Count != count)
            {
                problem = $"has {tensor.FloatData.Count} values for a shape of {count}";
                return null;
            }
            return [.. tensor.FloatData];
        }
        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        if (raw.Length != count * sizeof(float))
        {
            problem = $"has {raw.Length} bytes of data for a shape of {count} floats";
            return null;
        }
        float[] values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        }
        return values;
    }

    /// <summary>The shape as text, e.g. [784, 128].</summary>
    public static string Shape(TensorProto tensor) => $"[{string.Join(", ", tensor.Dims)}]";
}
