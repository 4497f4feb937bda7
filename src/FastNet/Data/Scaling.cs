namespace FastNet.Data;

/// <summary>Fixed rescaling of features, e.g. pixel values to [0, 1].</summary>
public static class Scaling
{
    /// <summary>Divides the features of <paramref name="data"/> by <paramref name="divisor"/> in place (16 maps the
    /// digits' 0..16 to [0, 1], 255 maps IDX pixels to [0, 1]), so a large set is never held twice; targets and
    /// labels are untouched.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is not a finite positive number.</exception>
    public static void DivideInPlace(Dataset data, float divisor)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(float.IsFinite(divisor) && divisor > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "expected a finite positive divisor");
        }
        float[] features = data.Features;
        for (int i = 0; i < features.Length; i++)
        {
            features[i] /= divisor; // a true division, so 255/255 is exactly 1
        }
    }
}
