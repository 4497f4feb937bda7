namespace FastNet.Distributed;

/// <summary>How a data-parallel step's gradient travels between the ranks. Either way every rank gets the same sum,
/// bit for bit, and the run the same parameters.</summary>
public enum GradientAllReduce
{
    /// <summary>One all-reduce of the whole gradient after the backward pass.</summary>
    Flat,

    /// <summary>One all-reduce per layer, each started as soon as the backward pass has finished that layer's
    /// gradient (output layer first), so it can travel while the layers below are still computed; all are waited for
    /// before the optimizer step.</summary>
    Layers,
}

/// <summary>The names <c>--allreduce</c> takes.</summary>
public static class GradientAllReduceNames
{
    /// <summary>flat or layers.</summary>
    public static string Of(GradientAllReduce value) => value switch
    {
        GradientAllReduce.Flat => "flat",
        GradientAllReduce.Layers => "layers",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "unknown all-reduce mode"),
    };

    /// <summary>Reads flat or layers (any case).</summary>
    public static GradientAllReduce Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "flat" => GradientAllReduce.Flat,
            "layers" => GradientAllReduce.Layers,
            _ => throw new FormatException(
                $"--allreduce: unknown mode '{text}'; expected flat (one all-reduce of the whole gradient) or layers "
                + "(one per layer, started as the backward pass finishes it)"),
        };
    }
}
