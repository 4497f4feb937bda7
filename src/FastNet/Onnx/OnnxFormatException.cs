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

    /// <summary>An error at <paramref name="node"/>; a node without a name (they are optional) is named by the
    /// tensor it computes.</summary>
    internal static OnnxFormatException At(string file, global::Onnx.NodeProto node, string problem) =>
        new(file, problem, node.Name.Length > 0 ? node.Name : $"<computes {node.Output.FirstOrDefault()}>",
            node.OpType);

    private static string Compose(string file, string problem, string? node, string? opType) =>
        node is null && opType is null ? $"{file}: {problem}" : $"{file}: node {QuotedText.Of(node)} ({QuotedText.Bare(opType)}): {problem}";
}
