using System.Globalization;
using System.Numerics;

namespace FastNet.Data;

/// <summary>
/// Per-feature standardization, x' = (x − mean) / std, with the statistics fitted on a training set and then applied
/// unchanged to validation and test sets, so no information leaks from them. The standard deviation is the
/// population one (divide by N). A constant column (std = 0) is only centred: its scale is taken as 1, so it maps
/// to 0 rather than to NaN; so is a column whose std is below <see cref="InputScaling.SmallestDivisor"/> (a subnormal
/// float, whose reciprocal overflows), which would map other values to infinity.
/// </summary>
public sealed class Standardizer
{
    private readonly float[] _mean;
    private readonly float[] _scale;

    /// <summary>A standardizer with known statistics (e.g. read back from a saved model).</summary>
    /// <exception cref="ArgumentException">The arrays differ in length, are empty, a mean is not finite, or a scale is
    /// not finite or below <see cref="InputScaling.SmallestDivisor"/>.</exception>
    public Standardizer(IReadOnlyList<float> mean, IReadOnlyList<float> scale)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        if (mean.Count == 0 || mean.Count != scale.Count)
        {
            throw new ArgumentException($"{mean.Count} means and {scale.Count} scales: expected the same non-zero number");
        }
        for (int j = 0; j < scale.Count; j++)
        {
            if (!InputScaling.IsDivisor(scale[j]) || !float.IsFinite(mean[j]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"feature {j}: mean {mean[j]:R}, scale {scale[j]:R}: expected a finite mean and a scale that is {InputScaling.DivisorExpected}"));
            }
        }
        _mean = [.. mean];
        _scale = [.. scale];
    }

    /// <summary>Mean of each feature on the fitted set.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Divisor of each feature: its standard deviation, or 1 for a constant feature.</summary>
    public IReadOnlyList<float> Scale => _scale;

    /// <summary>Number of features it applies to.</summary>
    public int FeatureCount => _mean.Length;

    /// <summary>Fits mean and standard deviation of each feature of <paramref name="train"/> (in float64).</summary>
    /// <exception cref="ArgumentException"><paramref name="train"/> has no rows.</exception>
    public static Standardizer Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("cannot fit a standardizer on an empty dataset", nameof(train));
        }
        int d = train.FeatureCount;
        // rows as the network sees them; a compact set is read row by row rather than built whole
        float[] buffer = new float[d];
        ReadOnlySpan<float> Row(int r)
        {
            if (!train.IsCompact)
            {
                return train.Features.AsSpan(r * d, d);
            }
            train.CopyFeatures(r, 1, buffer);
            return buffer;
        }
        double[] sum = new double[d];
        for (int r = 0; r < train.Count; r++)
        {
            ReadOnlySpan<float> row = Row(r);
            for (int j = 0; j < d; j++)
            {
                sum[j] += row[j];
            }
        }
        double[] mean = new double[d];
        for (int j = 0; j < d; j++)
        {
            mean[j] = sum[j] / train.Count;
        }
        // Second pass over deviations: exact for constant columns, unlike E[x²] − E[x]².
        double[] squares = new double[d];
        for (int r = 0; r < train.Count; r++)
        {
            ReadOnlySpan<float> row = Row(r);
            for (int j = 0; j < d; j++)
            {
                double deviation = row[j] - mean[j];
                squares[j] += deviation * deviation;
            }
        }
        float[] meanOut = new float[d];
        float[] scaleOut = new float[d];
        for (int j = 0; j < d; j++)
        {
            meanOut[j] = (float)mean[j];
            float std = (float)Math.Sqrt(squares[j] / train.Count);
            // a constant column, or one whose std is too small to divide by, is only centred
            scaleOut[j] = InputScaling.IsDivisor(std) ? std : 1f;
        }
        return new Standardizer(meanOut, scaleOut);
    }

    /// <summary>Standardizes the features of <paramref name="data"/> in place; targets and labels are untouched.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has a different number of features.</exception>
    public void ApplyInPlace(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.Scale(new StandardizeScaling(this));
    }

    /// <summary>Standardizes <paramref name="features"/> ([rows, featureCount]) in place; <paramref name="source"/>
    /// names them in the error.</summary>
    /// <exception cref="ArgumentException"><paramref name="featureCount"/> differs from the fitted one.</exception>
    public void ApplyInPlace(float[] features, int featureCount, string source)
    {
        ArgumentNullException.ThrowIfNull(features);
        CheckFeatureCount(featureCount, source);
        int d = FeatureCount;
        for (int i = 0; i < features.Length; i++)
        {
            int j = i % d;
            float scaled = (features[i] - _mean[j]) / _scale[j];
            if (!float.IsFinite(scaled) && float.IsFinite(features[i]))
            {
                throw InputScaling.BeyondRange(source, i / d, j, features[i], "standardize");
            }
            features[i] = scaled;
        }
    }

    /// <summary>Throws unless <paramref name="featureCount"/> is the fitted number of features.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public void CheckFeatureCount(int featureCount, string source)
    {
        if (featureCount != FeatureCount)
        {
            throw new ArgumentException(
                $"{source} has {featureCount} features; the standardizer was fitted on {FeatureCount}", nameof(featureCount));
        }
    }

    /// <summary>Standardizes whole rows in place, vectorized: the same float subtraction and division per value as
    /// <see cref="ApplyInPlace(float[], int, string)"/>, so the same bits.</summary>
    internal void ApplyToRows(Span<float> rows)
    {
        int d = FeatureCount, step = Vector<float>.Count;
        for (int start = 0; start < rows.Length; start += d)
        {
            Span<float> row = rows.Slice(start, d);
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j <= d - step; j += step)
                {
                    ((new Vector<float>(row[j..]) - new Vector<float>(_mean, j)) / new Vector<float>(_scale, j)).CopyTo(row[j..]);
                }
            }
            for (; j < d; j++)
            {
                row[j] = (row[j] - _mean[j]) / _scale[j];
            }
        }
    }
}
