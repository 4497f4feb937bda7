using System.Globalization;
using FastNet.Kernels;

namespace FastNet;

/// <summary>The names users write for activations, losses and optimizers (command line, model files), and back.</summary>
public static class Names
{
    private static readonly (string Name, Activation Value)[] Activations =
    [
        ("sigmoid", Activation.Sigmoid), ("tanh", Activation.Tanh), ("relu", Activation.Relu),
        ("leaky-relu:α", Activation.LeakyRelu(0)), ("gelu", Activation.Gelu), ("gelu-tanh", Activation.GeluTanh),
        ("identity", Activation.Identity),
    ];

    private const string LeakyRelu = "leaky-relu";

    private static readonly (string Name, LossKind Value)[] Losses =
    [
        ("half-squared-error", LossKind.HalfSquaredError), ("mse", LossKind.MeanSquaredError),
        ("cross-entropy", LossKind.SoftmaxCrossEntropy),
    ];

    private static readonly (string Name, OptimizerKind Value)[] Optimizers =
    [
        ("sgd", OptimizerKind.Sgd), ("momentum", OptimizerKind.Momentum), ("nesterov", OptimizerKind.Nesterov),
        ("adagrad", OptimizerKind.Adagrad), ("rmsprop", OptimizerKind.RmsProp), ("adam", OptimizerKind.Adam),
        ("nadam", OptimizerKind.Nadam), ("lars", OptimizerKind.Lars), ("lamb", OptimizerKind.Lamb),
    ];

    /// <summary>Every activation name (leaky ReLU as <c>leaky-relu:α</c>, α its slope).</summary>
    public static IEnumerable<string> ActivationNames => Activations.Select(a => a.Name);

    /// <summary>Every loss name.</summary>
    public static IEnumerable<string> LossNames => Losses.Select(l => l.Name);

    /// <summary>Every optimizer name.</summary>
    public static IEnumerable<string> OptimizerNames => Optimizers.Select(o => o.Name);

    /// <summary>
    /// Parses an activation name; throws <see cref="FormatException"/> listing the valid ones. Leaky ReLU is
    /// <c>leaky-relu:α</c> with its slope α in [0, 1) (<c>leaky-relu</c> alone means α = 0.01, as in PyTorch).
    /// </summary>
    public static Activation ParseActivation(string name)
    {
        string trimmed = name?.Trim() ?? "";
        if (trimmed.StartsWith(LeakyRelu, StringComparison.OrdinalIgnoreCase))
        {
            string rest = trimmed[LeakyRelu.Length..];
            if (rest.Length == 0)
            {
                return Activation.LeakyRelu(0.01f);
            }
            if (rest[0] == ':' && float.TryParse(rest[1..], NumberStyles.Float, CultureInfo.InvariantCulture,
                    out float slope) && slope >= 0 && slope < 1)
            {
                return Activation.LeakyRelu(slope);
            }
            throw new FormatException($"bad activation {QuotedText.Of(name)}: leaky-relu takes a slope in [0, 1), as leaky-relu:0.01");
        }
        return Parse(Activations, trimmed, "activation");
    }

    /// <summary>Parses a loss name; throws <see cref="FormatException"/> listing the valid ones.</summary>
    public static LossKind ParseLoss(string name) => Parse(Losses, name, "loss");

    /// <summary>Parses an optimizer name; throws <see cref="FormatException"/> listing the valid ones.</summary>
    public static OptimizerKind ParseOptimizer(string name) => Parse(Optimizers, name, "optimizer");

    /// <summary>The name of an activation; leaky ReLU's carries its slope (<c>leaky-relu:0.01</c>), written so that
    /// it parses back to the same float.</summary>
    public static string Of(Activation value) => value.Kind == ActivationKind.LeakyRelu
        ? $"{LeakyRelu}:{value.Slope.ToString(CultureInfo.InvariantCulture)}"
        : Activations.First(a => a.Value == value).Name;

    /// <summary>The name of a loss.</summary>
    public static string Of(LossKind value) => Losses.First(l => l.Value == value).Name;

    /// <summary>The name of an optimizer.</summary>
    public static string Of(OptimizerKind value) => Optimizers.First(o => o.Value == value).Name;

    private static T Parse<T>((string Name, T Value)[] table, string name, string what)
    {
        foreach ((string candidate, T value) in table)
        {
            if (string.Equals(candidate, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        throw new FormatException(
            $"unknown {what} {QuotedText.Of(name)}; expected one of: {string.Join(", ", table.Select(t => t.Name))}");
    }
}
