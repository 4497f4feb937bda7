using System.Globalization;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>
/// Inverted dropout on the hidden layers while training: layer l's activations A are multiplied by a mask that keeps
/// each unit with probability 1 − pₗ and scales the kept ones by 1/(1 − pₗ); evaluation never drops. The mask of an
/// element is drawn from (<paramref name="Seed"/>, the global optimizer step, the layer, row·units + unit) by
/// <see cref="DropoutMask"/>, where row is the example's row within the step's whole batch: every backend, every
/// micro-batch split and every rank draws the same mask for the same example of the same step, and a resumed run
/// draws what the uninterrupted one would have.
/// </summary>
/// <param name="Rates">pₗ of each hidden layer (0 ≤ p &lt; 1; 0: no dropout there).</param>
/// <param name="Seed">Keys the masks.</param>
public sealed record DropoutRates(IReadOnlyList<double> Rates, ulong Seed)
{
    /// <summary>Whether any layer drops.</summary>
    public bool Any => Rates.Any(p => p > 0);

    /// <summary>pₗ of hidden layer <paramref name="layer"/>; 0 for the output layer.</summary>
    public double RateOf(int layer) => layer < Rates.Count ? Rates[layer] : 0;

    /// <summary>The mask of layer <paramref name="layer"/> ([rows, units]) at optimizer step <paramref name="step"/>
    /// for rows starting at row <paramref name="firstRow"/> of the step's batch.</summary>
    public DropoutMask Mask(long step, int layer, int firstRow, int units) =>
        DropoutMask.Create(Seed, step, layer, (long)firstRow * units, RateOf(layer));

    /// <summary>The rates as <see cref="Parse"/> reads them: "0.5", or "0.2,0.5" per hidden layer.</summary>
    public string Text => Rates.Count > 0 && Rates.All(p => p == Rates[0])
        ? Rates[0].ToString("R", CultureInfo.InvariantCulture)
        : string.Join(",", Rates.Select(p => p.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>
    /// Parses <c>--dropout</c> for a network with <paramref name="hiddenLayers"/> hidden layers: one rate for all of
    /// them, or a comma list with one rate per hidden layer, each 0 ≤ p &lt; 1.
    /// </summary>
    public static IReadOnlyList<double> Parse(string text, int hiddenLayers)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var rates = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out rates[i])
                || !(rates[i] >= 0 && rates[i] < 1))
            {
                throw new FormatException($"--dropout: '{parts[i]}' is not a drop rate p with 0 ≤ p < 1");
            }
        }
        if (rates.Length == 1)
        {
            return [.. Enumerable.Repeat(rates[0], hiddenLayers)];
        }
        if (rates.Length != hiddenLayers)
        {
            throw new FormatException(
                $"--dropout: {rates.Length} rates for {hiddenLayers} hidden layers; give one rate, or one per hidden layer");
        }
        return rates;
    }
}
