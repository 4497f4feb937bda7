using System.Globalization;
using FastNet.Data;

namespace FastNet.Training;

/// <summary>
/// Cross-entropy on real-valued targets: its gradient with respect to the logits, softmax(z) − t, is that of
/// −Σ t·log softmax(z) only where the targets of a row sum to 1, so every row must be a probability vector (no
/// negative target, a sum of 1). Otherwise training would minimise another function than the loss it reports, so
/// the trainer refuses such a training set.
/// </summary>
public static class ProbabilityTargets
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first row of <paramref name="set"/> that is not a
    /// probability vector. Each float32 target read from text is within 2⁻²⁴ of its decimal value, so a row of k
    /// targets whose decimals sum to 1 sums (in float64) to within k·2⁻²⁴ of 1.</summary>
    public static void Require(Dataset set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (set.IsClassification)
        {
            return;
        }
        int k = set.TargetCount;
        double tolerance = k * Math.ScaleB(1.0, -24);
        ReadOnlySpan<float> targets = set.Targets;
        for (int r = 0; r < set.Count; r++)
        {
            ReadOnlySpan<float> row = targets.Slice(r * k, k);
            double sum = 0;
            foreach (float t in row)
            {
                if (t < 0)
                {
                    throw Refused(set, r, string.Create(CultureInfo.InvariantCulture, $"has the negative target {t:G9}"));
                }
                sum += t;
            }
            if (Math.Abs(sum - 1) > tolerance)
            {
                throw Refused(set, r, string.Create(CultureInfo.InvariantCulture, $"sums to {sum:G9}"));
            }
        }
    }

    private static ArgumentException Refused(Dataset set, int row, string problem) =>
        new($"cross-entropy: example {row + 1} of {set.Name} {problem}; cross-entropy takes targets that are "
            + "probabilities (each row at least 0 and summing to 1): normalize them, or train with mean squared error");
}
