using System.Globalization;

namespace FastNet.Data;

/// <summary>
/// Refuses NaN and infinite features or targets given in memory (the file loaders refuse them as they read): one
/// such value makes every parameter it reaches NaN, and the run would print NaN losses and leave a model that cannot
/// be saved, where the error should have named the value.
/// </summary>
internal static class FiniteValues
{
    /// <summary>Throws naming the first non-finite feature or target of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">A feature or target is NaN or infinite.</exception>
    public static void Require(Dataset data, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(data);
        // a compact set's bytes are finite, and so is what its scaling makes of them (checked where it is set)
        if (!data.IsCompact)
        {
            Require(data.Features, data.FeatureCount, data.Name, "feature", parameterName);
        }
        Require(data.Targets, data.TargetCount, data.Name, "target", parameterName);
    }

    /// <summary>Throws naming the first non-finite value of <paramref name="values"/>, rows of
    /// <paramref name="rowLength"/> <paramref name="what"/>s from <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public static void Require(ReadOnlySpan<float> values, int rowLength, string source, string what,
        string parameterName)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                int width = Math.Max(rowLength, 1);
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: example {i / width}, {what} {i % width} is {values[i]}: expected finite numbers"),
                    parameterName);
            }
        }
    }
}
