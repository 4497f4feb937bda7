namespace FastNet.Onnx;

/// <summary>An ONNX file that FastNet cannot import, naming the file and, where one is at fault, the node and its
/// operator type.</summary>
public sealed class OnnxFormatException : Exception
{
    /// <summary>An error in <paramref name="file"/>, at node <paramref name="node"/> of type <paramref name="opType"/>
    /// when those are given.</summary>
    public OnnxFormatException(string file, string problem, string? node = null, string? opType = null,
        Exception? inner = null)
        : base(Compose(file, problem, node, opType), inner)
    {
        File = file;
        Node = node;
        OpType = opType;
    }

    /// <summary>The file (or other source) being imported.</summary>
    public string File { get; }

    /// <summary>The name of the node at fault, if one is.</summary>
    public string? Node { get; }

    /// <summary>The operator type of the node at fault, if one is.</summary>
    public string? OpType { get; }

    private static string Compose(string file, string problem, string? node, string? opType) =>
        node is null && opType is null ? $"{file}: {problem}" : $"{file}: node '{node}' ({opType}): {problem}";
}
