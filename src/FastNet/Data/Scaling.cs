namespace FastNet.Data;

/// <summary>Fixed rescaling of features, e.g. pixel values to [0, 1].</summary>
public static class Scaling
{
    /// <summary>The features divided by <paramref name="divisor"/> (16 maps the digits' 0..16 to [0, 1], 255 maps
    /// IDX pixels to [0, 1]); targets and labels are shared, not copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is not a finite positive number.</exception>
    public static Dataset Divide(Dataset data, float divisor)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(float.IsFinite(divisor) && divisor > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "expected a finite positive divisor");
        }
        float[] features = new float[data.Features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = data.Features[i] / divisor; // a true division, so 255/255 is exactly 1
        }
        return data.WithFeatures(data.FeatureCount, features);
    }
}
