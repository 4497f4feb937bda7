namespace FastNet.Model;

/// <summary>Names a parameter of the flat vector the way the model file does: <c>layers[l].weights[j][i]</c> for the
/// weight from input i to unit j, <c>layers[l].biases[j]</c> for unit j's bias (all 0-based).</summary>
public static class ParameterNames
{
    /// <summary>The name of the parameter at <paramref name="index"/> of <paramref name="spec"/>'s flat layout.</summary>
    public static string Of(NetworkSpec spec, int index)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, spec.ParameterCount);
        for (int l = spec.Layers.Count - 1; l >= 0; l--)
        {
            int units = spec.Layers[l].Units;
            if (spec.Layers[l].HasBias && index >= spec.BiasOffset(l))
            {
                return $"layers[{l}].biases[{index - spec.BiasOffset(l)}]";
            }
            int weight = index - spec.WeightOffset(l);
            if (index < spec.WeightCount && weight >= 0)
            {
                // Layer l's W is [inputs, units] row-major.
                return $"layers[{l}].weights[{weight % units}][{weight / units}]";
            }
        }
        throw new InvalidOperationException($"parameter {index} lies in no layer of {spec}");
    }
}
