using System.Globalization;

namespace FastNet.Data;

/// <summary>
/// The preprocessing a model's inputs went through in training, applied in place to raw features. A model file
/// records it (see <see cref="Model.ModelJson"/>) so that evaluation and prediction apply exactly the same
/// arithmetic, and so reproduce the training run's numbers bit for bit.
/// </summary>
public abstract record InputScaling
{
    /// <summary>Features used as they are.</summary>
    public static InputScaling None { get; } = new NoScaling();

    /// <summary>The name written in model files and printed: none, divide or standardize.</summary>
    public abstract string Kind { get; }

    /// <summary>Applies the scaling to the features of <paramref name="data"/> in place.</summary>
    public void ApplyInPlace(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ApplyInPlace(data.Features, data.FeatureCount, data.Name);
    }

    /// <summary>Applies the scaling in place to <paramref name="features"/> ([rows, featureCount]);
    /// <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="ArgumentException">The scaling was fitted on another number of features.</exception>
    public abstract void ApplyInPlace(float[] features, int featureCount, string source);

    /// <summary>A short description for headers and messages, e.g. "divide by 255".</summary>
    public abstract string Describe();

    private sealed record NoScaling : InputScaling
    {
        public override string Kind => "none";

        public override void ApplyInPlace(float[] features, int featureCount, string source)
        {
        }

        public override string Describe() => "none";
    }
}

/// <summary>Every feature divided by one number (255 for image pixels, 16 for the digits, the training set's largest
/// absolute value for "unit").</summary>
/// <param name="Divisor">A finite positive number.</param>
public sealed record DivideScaling(float Divisor) : InputScaling
{
    /// <summary>The divisor, checked.</summary>
    public float Divisor { get; } = float.IsFinite(Divisor) && Divisor > 0 ? Divisor
        : throw new ArgumentOutOfRangeException(nameof(Divisor), Divisor, "expected a finite positive divisor");

    /// <inheritdoc />
    public override string Kind => "divide";

    /// <inheritdoc />
    public override void ApplyInPlace(float[] features, int featureCount, string source)
    {
        ArgumentNullException.ThrowIfNull(features);
        for (int i = 0; i < features.Length; i++)
        {
            features[i] /= Divisor; // a true division, so 255/255 is exactly 1
        }
    }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"divide by {Divisor:R}");
}

/// <summary>Per-feature standardization with statistics fitted on a training set (<see cref="Data.Standardizer"/>).</summary>
/// <param name="Standardizer">The fitted statistics.</param>
public sealed record StandardizeScaling(Standardizer Standardizer) : InputScaling
{
    /// <inheritdoc />
    public override string Kind => "standardize";

    /// <inheritdoc />
    public override void ApplyInPlace(float[] features, int featureCount, string source) =>
        Standardizer.ApplyInPlace(features, featureCount, source);

    /// <inheritdoc />
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"standardize ({Standardizer.FeatureCount} features)");

    /// <summary>Equal when every mean and scale has the same bits.</summary>
    public bool Equals(StandardizeScaling? other) => other is not null
        && Bits(Standardizer.Mean).SequenceEqual(Bits(other.Standardizer.Mean))
        && Bits(Standardizer.Scale).SequenceEqual(Bits(other.Standardizer.Scale));

    /// <inheritdoc />
    public override int GetHashCode() => Standardizer.FeatureCount;

    private static IEnumerable<int> Bits(IReadOnlyList<float> values) => values.Select(BitConverter.SingleToInt32Bits);
}
