using FastNet.Kernels;
using Onnx;

namespace FastNet.Onnx;

/// <summary>
/// Recognizes GELU written out in elementwise operators, as exporters do before opset 20 brought the Gelu operator:
/// ½·z·(1 + erf(z/√2)) (PyTorch's export and FastNet's own) and ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))). The nodes
/// that start from a layer's output z, use nothing but z and scalar constants (initializers or Constant nodes), and
/// meet in one output are read as a formula in canonical form (<see cref="ScalarExpression"/>) and compared with the
/// two definitions, so the order and grouping of an exporter's Mul, Div, Add and Pow nodes do not matter.
/// </summary>
/// <param name="Activation">Gelu or GeluTanh.</param>
/// <param name="Output">The value the subgraph computes: the chain continues from it.</param>
/// <param name="Last">The node that writes <paramref name="Output"/>, named in errors about the activation.</param>
/// <param name="Nodes">Every node of the subgraph, the Constant nodes it reads included.</param>
internal sealed record GeluSubgraph(Activation Activation, string Output, NodeProto Last, IReadOnlyList<NodeProto> Nodes)
{
    private static readonly HashSet<string> Elementwise = ["Add", "Sub", "Mul", "Div", "Pow", "Erf", "Tanh"];

    // GELU takes under ten nodes and a formula of under twenty terms. A larger region or formula is something else,
    // and reading it could recurse once per node (a stack overflow for a long chain) or double the formula per node
    // (Mul(v, v) repeated): such a region is not GELU before it is read, such a formula once it passes the bound.
    private const int MaxNodes = 64;
    private const int MaxSize = 64;

    private static readonly ScalarExpression ErfForm = Half(ScalarExpression.Erf(
        ScalarExpression.Multiply(ScalarExpression.Z, ScalarExpression.Number(1 / Math.Sqrt(2)))));

    private static readonly ScalarExpression TanhForm = Half(ScalarExpression.Tanh(ScalarExpression.Multiply(
        ScalarExpression.Number(Math.Sqrt(2 / Math.PI)),
        ScalarExpression.Add(ScalarExpression.Z, ScalarExpression.Multiply(ScalarExpression.Number(0.044715),
            ScalarExpression.Power(ScalarExpression.Z, ScalarExpression.Number(3))!)))));

    /// <summary>The GELU that the nodes fed by <paramref name="z"/> compute; null when they compute anything else,
    /// with <paramref name="formula"/> saying what they compute when that could be read.</summary>
    public static GeluSubgraph? TryMatch(string z, IReadOnlyDictionary<string, List<NodeProto>> consumers,
        IReadOnlyDictionary<string, NodeProto> producers, IReadOnlyDictionary<string, TensorProto> initializers,
        IEnumerable<string> graphOutputs, out string? formula)
    {
        formula = null;
        List<NodeProto> region = Region(z, consumers);
        if (region.Count > MaxNodes)
        {
            return null;
        }
        var inRegion = new HashSet<NodeProto>(region, ReferenceEqualityComparer.Instance);
        var outputs = new HashSet<string>(graphOutputs);
        string[] exits = [.. region.Select(n => n.Output[0]).Where(v =>
            outputs.Contains(v) || (consumers.TryGetValue(v, out List<NodeProto>? users) && users.Any(u => !inRegion.Contains(u))))];
        if (exits.Length != 1)
        {
            return null;
        }
        var reader = new Reader(z, producers, initializers, inRegion);
        ScalarExpression? expression = reader.Read(exits[0]);
        if (expression is null || reader.Used.Count(inRegion.Contains) != region.Count)
        {
            return null; // an operand that is neither z nor a constant, or a node whose result is not used
        }
        formula = expression.ToString();
        Activation? activation = ScalarExpression.Same(expression, ErfForm) ? Activation.Gelu
            : ScalarExpression.Same(expression, TanhForm) ? Activation.GeluTanh
            : null;
        return activation is Activation a ? new GeluSubgraph(a, exits[0], producers[exits[0]], reader.Used) : null;
    }

    // ½·z·(1 + f)
    private static ScalarExpression Half(ScalarExpression f) => ScalarExpression.Multiply(ScalarExpression.Number(0.5),
        ScalarExpression.Multiply(ScalarExpression.Z, ScalarExpression.Add(ScalarExpression.Number(1), f)));

    // The elementwise nodes reachable from z through elementwise nodes.
    private static List<NodeProto> Region(string z, IReadOnlyDictionary<string, List<NodeProto>> consumers)
    {
        var region = new List<NodeProto>();
        var seen = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var values = new Queue<string>([z]);
        while (region.Count <= MaxNodes && values.TryDequeue(out string? value)) // past MaxNodes it is not GELU
        {
            if (!consumers.TryGetValue(value, out List<NodeProto>? users))
            {
                continue;
            }
            foreach (NodeProto node in users.Where(n => Elementwise.Contains(n.OpType) && n.Domain is "" or "ai.onnx"
                && n.Output.Count == 1 && seen.Add(n)))
            {
                region.Add(node);
                values.Enqueue(node.Output[0]);
            }
        }
        return region;
    }

    // Reads a value as a formula in z, remembering every node it reads.
    private sealed class Reader(string z, IReadOnlyDictionary<string, NodeProto> producers,
        IReadOnlyDictionary<string, TensorProto> initializers, HashSet<NodeProto> region)
    {
        private readonly Dictionary<string, ScalarExpression?> _read = [];

        public List<NodeProto> Used { get; } = [];

        public ScalarExpression? Read(string value)
        {
            if (value == z)
            {
                return ScalarExpression.Z;
            }
            if (_read.TryGetValue(value, out ScalarExpression? known))
            {
                return known;
            }
            _read[value] = null; // while it is read: a value that depends on itself (a cycle) is no formula
            ScalarExpression? result = initializers.TryGetValue(value, out TensorProto? tensor) ? Scalar(tensor)
                : producers.TryGetValue(value, out NodeProto? node) ? Node(node)
                : null;
            _read[value] = result is { Size: > MaxSize } ? null : result;
            return _read[value];
        }

        private ScalarExpression? Node(NodeProto node)
        {
            if (node.OpType == "Constant" && node.Domain is "" or "ai.onnx")
            {
                Used.Add(node);
                return ConstantNode(node);
            }
            if (!region.Contains(node))
            {
                return null;
            }
            Used.Add(node);
            ScalarExpression?[] operands = [.. node.Input.Select(Read)];
            if (operands.Any(o => o is null))
            {
                return null;
            }
            return (node.OpType, operands.Length) switch
            {
                ("Erf", 1) => ScalarExpression.Erf(operands[0]!),
                ("Tanh", 1) => ScalarExpression.Tanh(operands[0]!),
                ("Add", 2) => ScalarExpression.Add(operands[0]!, operands[1]!),
                ("Sub", 2) => ScalarExpression.Subtract(operands[0]!, operands[1]!),
                ("Mul", 2) => ScalarExpression.Multiply(operands[0]!, operands[1]!),
                ("Div", 2) => ScalarExpression.Divide(operands[0]!, operands[1]!),
                ("Pow", 2) => ScalarExpression.Power(operands[0]!, operands[1]!),
                _ => null,
            };
        }

        private static ScalarExpression? ConstantNode(NodeProto node)
        {
            AttributeProto? attribute = node.Attribute.Count == 1 ? node.Attribute[0] : null;
            return attribute switch
            {
                { Name: "value", T: TensorProto tensor } => Scalar(tensor),
                { Name: "value_float" } => ScalarExpression.Number(attribute.F),
                _ => null,
            };
        }

        // One float value of any shape ([], [1], [1, 1]): broadcasting it is the same as a scalar.
        private static ScalarExpression? Scalar(TensorProto tensor) =>
            tensor.Dims.All(d => d == 1) && OnnxTensors.TryRead(tensor, out _) is [float value]
                ? ScalarExpression.Number(value)
                : null;
    }
}
