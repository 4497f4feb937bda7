namespace FastNet.Onnx;

/// <summary>
/// The names and versions of the graphs FastNet writes, which its importer also reads back:
/// <code>
/// input [batch, inputs] → (Sub preprocessing.mean) → (Div preprocessing.std | preprocessing.divisor)
///   → per layer: Gemm(layerK.weight [in, out], layerK.bias) or MatMul(layerK.weight), then Relu | Sigmoid | Tanh
///   → logits → Softmax → probabilities   (a classifier)   or   → output   (anything else)
/// </code>
/// </summary>
public static class OnnxLayout
{
    /// <summary>The operator set written: 13 is the first with Softmax over one axis rather than a flattened
    /// tail.</summary>
    public const long OpsetVersion = 13;

    /// <summary>IR version 8 (ONNX 1.10), which every runtime that has opset 13 reads.</summary>
    public const long IrVersion = 8;

    /// <summary>The features, [batch, inputs].</summary>
    public const string Input = "input";

    /// <summary>The name of the symbolic batch dimension.</summary>
    public const string BatchDimension = "batch";

    /// <summary>The features after the folded preprocessing, as FastNet's first layer sees them.</summary>
    public const string ScaledInput = "scaled";

    /// <summary>A classifier's class scores before the softmax.</summary>
    public const string Logits = "logits";

    /// <summary>A classifier's softmax of the logits.</summary>
    public const string Probabilities = "probabilities";

    /// <summary>The last layer's values of a model that is not a classifier.</summary>
    public const string Output = "output";

    /// <summary>Metadata key: the preprocessing in words (the graph itself applies it).</summary>
    public const string PreprocessingKey = "fastnet.preprocessing";

    /// <summary>Metadata key: the loss trained with, by its FastNet name.</summary>
    public const string LossKey = "fastnet.loss";

    /// <summary>Metadata key: a JSON array of the class names, in output order.</summary>
    public const string ClassesKey = "fastnet.classes";

    /// <summary>Metadata key: a JSON array of the target names, in output order.</summary>
    public const string TargetsKey = "fastnet.targets";

    /// <summary>Metadata key: the training data and split, as the model file's <c>{"data": {...}}</c>, so that
    /// <c>fastnet eval</c> of the ONNX file scores the same held-out examples.</summary>
    public const string DataKey = "fastnet.data";
}
