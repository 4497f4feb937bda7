using FastNet.Kernels;

namespace FastNet.Model;

/// <summary>One dense layer: <paramref name="Units"/> units with activation <paramref name="Activation"/>, with or
/// without a bias per unit.</summary>
public sealed record LayerSpec(int Units, Activation Activation, bool HasBias = true);

/// <summary>
/// The architecture of a multilayer perceptron and where each layer's parameters sit in the flat parameter vector.
/// <para>
/// Flat layout: every layer's weights first, layer by layer (layer l's W is [inputs, outputs] row-major, as
/// <see cref="IBackend"/> expects), then every layer's biases. Putting all biases last lets training keep them
/// fixed (seed 002 does not update its biases) by stepping the optimizer over the weights prefix only.
/// </para>
/// </summary>
public sealed class NetworkSpec
{
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;

    /// <summary>A network taking <paramref name="inputs"/> features through <paramref name="layers"/>.</summary>
    public NetworkSpec(int inputs, IReadOnlyList<LayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        if (layers.Count == 0)
        {
            throw new ArgumentException("a network needs at least one layer", nameof(layers));
        }
        Inputs = inputs;
        Layers = [.. layers];
        _weightOffsets = new int[layers.Count];
        _biasOffsets = new int[layers.Count];
        // Counted in 64 bits and stopped at the first layer past the limit, so the count itself cannot overflow.
        long count = 0;
        for (int l = 0; l < layers.Count; l++)
        {
            if (layers[l] is null)
            {
                throw new ArgumentException($"layer {l} is null", nameof(layers));
            }
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers[l].Units);
            _weightOffsets[l] = (int)count;
            count += (long)InputsOf(l) * layers[l].Units;
            if (count > int.MaxValue)
            {
                throw TooLarge(count, $"layer {l}'s weights ({InputsOf(l)} inputs × {layers[l].Units} units)",
                    InputsOf(l) > layers[l].Units ? (l == 0 ? null : l - 1) : l);
            }
        }
        WeightCount = (int)count;
        for (int l = 0; l < layers.Count; l++)
        {
            _biasOffsets[l] = (int)count;
            count += layers[l].HasBias ? layers[l].Units : 0;
            if (count > int.MaxValue)
            {
                throw TooLarge(count, $"layer {l}'s biases ({layers[l].Units} units)", l);
            }
        }
        ParameterCount = (int)count;
    }

    /// <summary>The most parameters a network can have: its flat vector is indexed by <see cref="int"/>.</summary>
    public static int MaxParameters => int.MaxValue;

    /// <summary>Features per example.</summary>
    public int Inputs { get; }

    /// <summary>The layers, input side first.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>Units of the last layer.</summary>
    public int Outputs => Layers[^1].Units;

    /// <summary>Number of weights (the prefix of the flat vector).</summary>
    public int WeightCount { get; }

    /// <summary>Number of weights and biases.</summary>
    public int ParameterCount { get; }

    /// <summary>Why <paramref name="loss"/> cannot train this network, or null: cross-entropy applies softmax to the
    /// output layer itself, so that layer's activation must be identity. Training, model files and checkpoints all
    /// refuse it by this.</summary>
    public string? LossMismatch(LossKind loss) =>
        loss == LossKind.SoftmaxCrossEntropy && Layers[^1].Activation != Activation.Identity
            ? $"cross-entropy applies softmax to the output layer itself: its activation must be identity, not {Names.Of(Layers[^1].Activation)}"
            : null;

    /// <summary>Inputs of layer <paramref name="layer"/>: the features for layer 0, else the units below.</summary>
    public int InputsOf(int layer) => layer == 0 ? Inputs : Layers[layer - 1].Units;

    /// <summary>Offset of layer <paramref name="layer"/>'s W in the flat vector.</summary>
    public int WeightOffset(int layer) => _weightOffsets[layer];

    /// <summary>Offset of layer <paramref name="layer"/>'s b in the flat vector (meaningful when it has biases).</summary>
    public int BiasOffset(int layer) => _biasOffsets[layer];

    /// <summary>Sizes as "in-h1-...-out", e.g. 784-128-10.</summary>
    public override string ToString() => string.Join('-', Layers.Select(l => l.Units).Prepend(Inputs));

    private NetworkTooLargeException TooLarge(long count, string what, int? layer) => new(
        $"the network {this} is too large: with {what} it has {count} parameters, more than the {MaxParameters} "
        + "one network can hold", layer);

    /// <summary>Floating-point operations of one example's forward and backward pass through the dense layers
    /// (2 per multiply-add; backward counts dW and, above the first layer, dX).</summary>
    public long TrainingFlopsPerExample()
    {
        long flops = 0;
        for (int l = 0; l < Layers.Count; l++)
        {
            long macs = (long)InputsOf(l) * Layers[l].Units;
            flops += 2 * macs * (l == 0 ? 2 : 3);
        }
        return flops;
    }
}
