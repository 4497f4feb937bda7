using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using Onnx;

namespace FastNet.Onnx;

/// <summary>
/// Reads the nodes of a chain, input side first, into FastNet's preprocessing and dense layers: an optional Sub and
/// Div before the first layer, then per layer a Gemm (either weight orientation) or a MatMul with an optional Add,
/// then an optional Relu, LeakyRelu, Sigmoid, Tanh or Gelu (or GELU's formula, <see cref="GeluSubgraph"/>); Identity
/// anywhere and one final Softmax. Anything else is an
/// <see cref="OnnxFormatException"/> naming the node.
/// </summary>
internal sealed class OnnxChainBuilder(string file, IReadOnlyDictionary<string, TensorProto> initializers,
    IReadOnlyDictionary<string, NodeProto> producers, long? opset = null)
{
    // the first opset with the Gelu operator
    private const long GeluOpset = 20;

    private const string Supported = "Gemm, MatMul, Add (a MatMul's bias), Relu, LeakyRelu, Sigmoid, Tanh, Gelu (or GELU's "
        + "formula in elementwise operators), Identity, a final Softmax, and Sub and Div before the first layer";

    private readonly List<Layer> _layers = [];
    private float[]? _mean;
    private float[]? _divisor;

    /// <summary>True once a Softmax has ended the chain.</summary>
    public bool HasSoftmax { get; private set; }

    /// <summary>Takes the next node of the chain, whose input <paramref name="current"/> is the chain so far.</summary>
    public void Accept(NodeProto node, string current)
    {
        if (HasSoftmax)
        {
            throw Error(node, "follows the final Softmax; FastNet's softmax ends the network");
        }
        if (node.Domain is not ("" or "ai.onnx"))
        {
            throw Error(node,
                $"an operator of domain {QuotedText.Of(node.Domain)}; FastNet imports standard ONNX operators: {Supported}");
        }
        if (node.Output.Count != 1)
        {
            throw Error(node, $"has {node.Output.Count} outputs; FastNet imports operators with one");
        }
        // which of two values ONNX Runtime takes is not for FastNet to guess (the attribute readers below take the first)
        if (node.Attribute.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw Error(node, $"gives attribute {QuotedText.Of(twice.Key)} twice; ONNX gives each attribute once");
        }
        switch (node.OpType)
        {
            case "Sub":
                Preprocessing(node, current, subtract: true);
                break;
            case "Div":
                Preprocessing(node, current, subtract: false);
                break;
            case "Gemm":
                Gemm(node, current);
                break;
            case "MatMul":
                MatMul(node, current);
                break;
            case "Add":
                Add(node, current);
                break;
            case "Relu":
                Activate(node, current, Activation.Relu);
                break;
            case "Sigmoid":
                Activate(node, current, Activation.Sigmoid);
                break;
            case "Tanh":
                Activate(node, current, Activation.Tanh);
                break;
            case "LeakyRelu":
                Activate(node, current, LeakyRelu(node));
                break;
            case "Gelu":
                Activate(node, current, Gelu(node));
                break;
            case "Identity":
                FeaturesFirst(node, current, operands: 1);
                break;
            case "Softmax":
                Softmax(node, current);
                break;
            default:
                throw Error(node, $"unsupported operator; FastNet imports {Supported}");
        }
    }

    /// <summary>The network read, its parameters in FastNet's flat layout, and the preprocessing the graph applies
    /// (null when it has none).</summary>
    public (NetworkSpec Spec, float[] Parameters, InputScaling? Scaling) Finish()
    {
        if (_layers.Count == 0)
        {
            throw new OnnxFormatException(file,
                "no Gemm or MatMul between the input and the output: nothing to import");
        }
        var spec = new NetworkSpec(_layers[0].Inputs, [.. _layers.Select(l =>
            new LayerSpec(l.Units, l.Activation ?? Activation.Identity, l.Biases is not null))]);
        float[] parameters = new float[spec.ParameterCount];
        for (int l = 0; l < _layers.Count; l++)
        {
            _layers[l].Weights.CopyTo(parameters, spec.WeightOffset(l));
            _layers[l].Biases?.CopyTo(parameters, spec.BiasOffset(l));
        }
        return (spec, parameters, Scaling(spec.Inputs));
    }

    // x − mean, then x / divisor: the two steps of FastNet's standardization, or a division alone.
    private void Preprocessing(NodeProto node, string current, bool subtract)
    {
        if (_layers.Count > 0)
        {
            throw Error(node, "after the first layer; FastNet imports Sub and Div only as preprocessing before it");
        }
        if (_divisor is not null || (subtract && _mean is not null))
        {
            throw Error(node, "FastNet's preprocessing is at most one Sub followed by one Div");
        }
        FeaturesFirst(node, current, operands: 2);
        (float[] values, TensorProto tensor) = Constant(node, 1, subtract ? "mean" : "divisor");
        if (tensor.Dims.Count > 2 || tensor.Dims.SkipLast(1).Any(d => d != 1))
        {
            throw Error(node, $"operand {QuotedText.Of(tensor.Name)} of shape {OnnxTensors.Shape(tensor)}; FastNet takes one value "
                + "or one per feature");
        }
        foreach (float v in values)
        {
            if (!float.IsFinite(v) || (!subtract && !InputScaling.IsDivisor(v)))
            {
                throw Error(node, $"operand {QuotedText.Of(tensor.Name)} holds {v}; FastNet's preprocessing needs finite "
                    + (subtract ? "means" : $"positive divisors, each {InputScaling.DivisorExpected}"));
            }
        }
        if (subtract)
        {
            _mean = values;
        }
        else
        {
            _divisor = values;
        }
    }

    // Y = alpha·A·op(B) + beta·C with op(B) = B or Bᵀ: a layer when alpha = beta = 1 and A is not transposed.
    private void Gemm(NodeProto node, string current)
    {
        FeaturesFirst(node, current, operands: node.Input.Count is 3 ? 3 : 2);
        if (FloatAttribute(node, "alpha", 1) is var alpha && alpha != 1)
        {
            throw Error(node, $"alpha = {alpha}; FastNet imports Gemm with alpha = 1");
        }
        if (IntAttribute(node, "transA", 0) != 0)
        {
            throw Error(node, "transA = 1; FastNet imports Gemm with the features untransposed");
        }
        bool transposed = IntAttribute(node, "transB", 0) != 0;
        (float[] b, TensorProto weight) = Constant(node, 1, "weight");
        (int inputs, int units) = Matrix(node, weight);
        if (transposed)
        {
            (inputs, units) = (units, inputs);
        }
        float[]? biases = null;
        if (node.Input.Count == 3 && node.Input[2].Length > 0)
        {
            if (FloatAttribute(node, "beta", 1) is var beta && beta != 1)
            {
                throw Error(node, $"beta = {beta}; FastNet imports Gemm with beta = 1");
            }
            biases = Bias(node, 2, units);
        }
        AddLayer(node, weight, inputs, units, transposed ? Transpose(b, units, inputs) : b, biases);
    }

    private void MatMul(NodeProto node, string current)
    {
        FeaturesFirst(node, current, operands: 2);
        (float[] b, TensorProto weight) = Constant(node, 1, "weight");
        (int inputs, int units) = Matrix(node, weight);
        AddLayer(node, weight, inputs, units, b, biases: null);
        _layers[^1].AwaitsBias = true;
    }

    // PyTorch writes Add(bias, x), Keras Add(x, bias): either order.
    private void Add(NodeProto node, string current)
    {
        Layer? last = _layers.Count > 0 ? _layers[^1] : null;
        if (last is not { AwaitsBias: true })
        {
            throw Error(node, "an Add that does not follow a MatMul; FastNet imports Add only as a layer's bias");
        }
        int other = node.Input.Count == 2 && node.Input[0] == current ? 1
            : node.Input.Count == 2 && node.Input[1] == current ? 0
            : throw Error(node, $"expected two operands, one of them {QuotedText.Of(current)}");
        last.Biases = Bias(node, other, last.Units);
        last.AwaitsBias = false;
    }

    // LeakyRelu's alpha attribute, 0.01 when absent (the operator's default)
    private Activation LeakyRelu(NodeProto node)
    {
        float alpha = node.Attribute.FirstOrDefault(a => a.Name == "alpha")?.F ?? 0.01f;
        return alpha >= 0 && alpha < 1
            ? Activation.LeakyRelu(alpha)
            : throw Error(node, $"LeakyRelu alpha {alpha}; FastNet's leaky ReLU takes a slope in [0, 1)");
    }

    /// <summary>Takes an activation that several nodes compute, <paramref name="last"/> writing its result.</summary>
    public void AcceptActivation(NodeProto last, Activation activation)
    {
        if (HasSoftmax)
        {
            throw Error(last, "follows the final Softmax; FastNet's softmax ends the network");
        }
        SetActivation(last, activation);
    }

    // Opset 20's Gelu: approximate = "none" (erf, the default) or "tanh"
    private Activation Gelu(NodeProto node)
    {
        // ONNX Runtime refuses an operator its file's opset does not have: imported, such a file would run here only
        if (opset is long version && version < GeluOpset)
        {
            throw Error(node, $"Gelu is an operator of opset {GeluOpset} and later; the file imports opset {version}");
        }
        string approximate = node.Attribute.FirstOrDefault(a => a.Name == "approximate")?.S.ToStringUtf8() ?? "none";
        return approximate switch
        {
            "none" => Activation.Gelu,
            "tanh" => Activation.GeluTanh,
            _ => throw Error(node, $"Gelu approximate = {QuotedText.Of(approximate)}; expected 'none' or 'tanh'"),
        };
    }

    private void Activate(NodeProto node, string current, Activation activation)
    {
        FeaturesFirst(node, current, operands: 1);
        SetActivation(node, activation);
    }

    private void SetActivation(NodeProto node, Activation activation)
    {
        Layer last = _layers.Count > 0 ? _layers[^1]
            : throw Error(node, "an activation before the first layer; FastNet's activations follow a Gemm or MatMul");
        if (last.Activation is Activation earlier)
        {
            throw Error(node, $"a second activation after {Names.Of(earlier)}; a FastNet layer has one");
        }
        last.Activation = activation;
        last.AwaitsBias = false;
    }

    // Softmax over the last axis of [batch, classes]: 1 and −1 are that axis, and so is every opset's default.
    private void Softmax(NodeProto node, string current)
    {
        FeaturesFirst(node, current, operands: 1);
        Layer last = _layers.Count > 0 ? _layers[^1]
            : throw Error(node, "a Softmax before the first layer");
        if (last.Activation is Activation a && a != Activation.Identity)
        {
            throw Error(node, $"a Softmax over {Names.Of(a)} outputs; FastNet's softmax takes the logits of an "
                + "identity layer");
        }
        if (node.Attribute.FirstOrDefault(x => x.Name == "axis") is { } axis && axis.I is not (1 or -1))
        {
            throw Error(node, $"axis = {axis.I}; FastNet's softmax runs over the classes, the last of two axes");
        }
        last.Activation = Activation.Identity;
        last.AwaitsBias = false;
        HasSoftmax = true;
    }

    private void AddLayer(NodeProto node, TensorProto weight, int inputs, int units, float[] weights, float[]? biases)
    {
        if (_layers.Count > 0)
        {
            Layer previous = _layers[^1];
            previous.Activation ??= Activation.Identity;
            previous.AwaitsBias = false;
            if (inputs != previous.Units)
            {
                throw Error(node, $"weight {QuotedText.Of(weight.Name)} of shape {OnnxTensors.Shape(weight)} takes {inputs} inputs; "
                    + $"the layer below has {previous.Units} units");
            }
        }
        _layers.Add(new Layer(inputs, units, weights) { Biases = biases });
    }

    private float[] Bias(NodeProto node, int operand, int units)
    {
        (float[] values, TensorProto tensor) = Constant(node, operand, "bias");
        bool row = tensor.Dims.Count == 1 || (tensor.Dims.Count == 2 && tensor.Dims[0] == 1);
        if (!row || values.Length != units)
        {
            throw Error(node,
                $"bias {QuotedText.Of(tensor.Name)} of shape {OnnxTensors.Shape(tensor)}; expected [{units}], one per unit");
        }
        return values;
    }

    private (int Rows, int Columns) Matrix(NodeProto node, TensorProto weight)
    {
        if (weight.Dims.Count != 2 || weight.Dims.Any(d => d is < 1 or > int.MaxValue))
        {
            throw Error(node, $"weight {QuotedText.Of(weight.Name)} of shape {OnnxTensors.Shape(weight)}; expected a matrix");
        }
        return ((int)weight.Dims[0], (int)weight.Dims[1]);
    }

    // The operand that is not the chain must be stored in the file: computed or fed weights are not a fixed network.
    private (float[] Values, TensorProto Tensor) Constant(NodeProto node, int operand, string role)
    {
        string name = node.Input[operand];
        if (!initializers.TryGetValue(name, out TensorProto? tensor))
        {
            string origin = producers.TryGetValue(name, out NodeProto? producer)
                ? $"computed by node {QuotedText.Of(producer.Name)} ({QuotedText.Bare(producer.OpType)})"
                : "an input of the graph";
            throw Error(node, $"its {role} {QuotedText.Of(name)} is {origin}, not an initializer; FastNet imports fixed weights");
        }
        float[] values = OnnxTensors.TryRead(tensor, out string problem)
            ?? throw Error(node, $"its {role} {QuotedText.Of(name)} {problem}");
        return (values, tensor);
    }

    private void FeaturesFirst(NodeProto node, string current, int operands)
    {
        if (node.Input.Count != operands)
        {
            throw Error(node, $"has {node.Input.Count} operands; expected {operands}");
        }
        if (node.Input[0] != current)
        {
            throw Error(node,
                $"takes {QuotedText.Of(current)} as operand {node.Input.IndexOf(current) + 1}; FastNet expects it first");
        }
    }

    private InputScaling? Scaling(int inputs)
    {
        foreach (float[]? values in new[] { _mean, _divisor })
        {
            if (values is not null && values.Length != 1 && values.Length != inputs)
            {
                throw new OnnxFormatException(file, $"the preprocessing has {values.Length} values for {inputs} "
                    + "features; expected one or one per feature");
            }
        }
        if (_mean is null && _divisor is null)
        {
            return null;
        }
        if (_mean is null && _divisor!.Length == 1)
        {
            return new DivideScaling(_divisor[0]);
        }
        // (x − 0) and (x / 1) are exact, so a missing half of the standardization changes nothing.
        float[] mean = Expand(_mean ?? [0f], inputs);
        float[] scale = Expand(_divisor ?? [1f], inputs);
        return new StandardizeScaling(new Standardizer(mean, scale));
    }

    private static float[] Expand(float[] values, int count) =>
        values.Length == count ? values : Enumerable.Repeat(values[0], count).ToArray();

    // B is [units, inputs] with transB = 1; FastNet's W is [inputs, units].
    private static float[] Transpose(float[] b, int units, int inputs)
    {
        float[] w = new float[b.Length];
        for (int j = 0; j < units; j++)
        {
            for (int i = 0; i < inputs; i++)
            {
                w[i * units + j] = b[j * inputs + i];
            }
        }
        return w;
    }

    private static long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;

    private static float FloatAttribute(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? fallback;

    private OnnxFormatException Error(NodeProto node, string problem) => OnnxFormatException.At(file, node, problem);

    // A layer as read so far; its activation stays open until the next layer or the end.
    private sealed class Layer(int inputs, int units, float[] weights)
    {
        public int Inputs { get; } = inputs;

        public int Units { get; } = units;

        public float[] Weights { get; } = weights;

        public float[]? Biases { get; set; }

        public Activation? Activation { get; set; }

        public bool AwaitsBias { get; set; }
    }
}
