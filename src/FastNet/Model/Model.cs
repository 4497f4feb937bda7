namespace FastNet.Model;

/// <summary>A network's architecture with its parameters on the host, in the flat layout of
/// <see cref="NetworkSpec"/>, and what is known about its inputs and outputs (<see cref="ModelMetadata"/>). What is
/// saved, loaded and moved between backends.</summary>
public sealed class Model
{
    /// <summary>A model with the given parameters (copied by reference; length must match the spec).</summary>
    public Model(NetworkSpec spec, float[] parameters)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length != spec.ParameterCount)
        {
            throw new ArgumentException(
                $"{parameters.Length} parameters given, the network {spec} needs {spec.ParameterCount}");
        }
        Spec = spec;
        Parameters = parameters;
    }

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The flat parameter vector.</summary>
    public float[] Parameters { get; }

    /// <summary>Preprocessing, loss, output names and training data, as far as known.</summary>
    public ModelMetadata Metadata { get; init; } = ModelMetadata.None;

    /// <summary>The same parameters (shared, not copied) with other metadata.</summary>
    public Model WithMetadata(ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new Model(Spec, Parameters) { Metadata = metadata };
    }

    /// <summary>Weight from input <paramref name="input"/> to unit <paramref name="unit"/> of a layer (the seeds'
    /// w_ji with j = unit, i = input).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such unit or input: the index would reach another
    /// parameter.</exception>
    public ref float Weight(int layer, int unit, int input)
    {
        int units = Spec.Layers[layer].Units;
        ArgumentOutOfRangeException.ThrowIfNegative(unit);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(unit, units);
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input, Spec.InputsOf(layer));
        return ref Parameters[Spec.WeightOffset(layer) + input * units + unit];
    }

    /// <summary>Bias of unit <paramref name="unit"/> of a layer that has biases.</summary>
    public ref float Bias(int layer, int unit)
    {
        if (!Spec.Layers[layer].HasBias)
        {
            throw new InvalidOperationException($"layer {layer + 1} has no biases");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(unit);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(unit, Spec.Layers[layer].Units);
        return ref Parameters[Spec.BiasOffset(layer) + unit];
    }
}
