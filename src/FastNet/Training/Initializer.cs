using System.Globalization;
using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Training;

/// <summary>How initial weights are drawn. Biases always start at zero.</summary>
public enum InitializerKind
{
    /// <summary>He for ReLU, leaky ReLU and GELU layers, Xavier for the others.</summary>
    Auto,

    /// <summary>U(−r, r) with a given r.</summary>
    Uniform,

    /// <summary>Xavier/Glorot uniform: U(−a, a), a = √(6 / (fan_in + fan_out)).</summary>
    Xavier,

    /// <summary>He (Kaiming) normal: N(0, 2 / fan_in).</summary>
    He,
}

/// <summary>Draws a model's initial parameters from one explicit seed.</summary>
/// <param name="Kind">The scheme.</param>
/// <param name="Range">r for <see cref="InitializerKind.Uniform"/>.</param>
public sealed record Initializer(InitializerKind Kind, double Range = 0.5)
{
    /// <summary>Parses "auto", "xavier", "he", "uniform" or "uniform:R".</summary>
    public static Initializer Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().ToLowerInvariant().Split(':');
        return parts switch
        {
            ["auto"] => new(InitializerKind.Auto),
            ["xavier"] or ["glorot"] => new(InitializerKind.Xavier),
            ["he"] or ["kaiming"] => new(InitializerKind.He),
            ["uniform"] => new(InitializerKind.Uniform),
            ["uniform", string r] when double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out double range)
                && range > 0 && float.IsFinite((float)range) => new(InitializerKind.Uniform, range),
            _ => throw new FormatException(
                $"unknown initializer '{text}'; expected auto, xavier, he, uniform or uniform:R with a finite R > 0"),
        };
    }

    // He suits the activations that pass about half of a zero-mean input (ReLU and its leaky and GELU relatives)
    private static bool IsRectifierLike(Activation activation) => activation.Kind is ActivationKind.Relu
        or ActivationKind.LeakyRelu or ActivationKind.Gelu or ActivationKind.GeluTanh;

    /// <summary>A new model for <paramref name="spec"/> with weights drawn from <paramref name="random"/>.</summary>
    public Model.Model Create(NetworkSpec spec, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(random);
        var model = new Model.Model(spec, new float[spec.ParameterCount]);
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            int fanIn = spec.InputsOf(l), fanOut = spec.Layers[l].Units;
            InitializerKind kind = Kind == InitializerKind.Auto
                ? IsRectifierLike(spec.Layers[l].Activation) ? InitializerKind.He : InitializerKind.Xavier
                : Kind;
            Span<float> weights = model.Parameters.AsSpan(spec.WeightOffset(l), fanIn * fanOut);
            for (int k = 0; k < weights.Length; k++)
            {
                weights[k] = (float)(kind switch
                {
                    InitializerKind.Uniform => random.NextDouble(-Range, Range),
                    InitializerKind.Xavier => random.NextDouble(-1, 1) * Math.Sqrt(6.0 / (fanIn + fanOut)),
                    _ => random.NextGaussian() * Math.Sqrt(2.0 / fanIn),
                });
            }
        }
        return model;
    }
}
