using System.Globalization;
using System.Numerics;

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

    /// <summary>
    /// The smallest divisor (or standard deviation) a scaling divides by: the smallest normal float, 2^-126. Below it,
    /// among the subnormal floats, a reciprocal overflows (1/1e-39 is about 1e39, beyond float's 3.4e38), so inputs
    /// divided by it become infinite and the model's outputs Infinity or NaN.
    /// </summary>
    public const float SmallestDivisor = 1.17549435E-38f;

    /// <summary>What a divisor must be, for messages.</summary>
    public static string DivisorExpected { get; } = string.Create(CultureInfo.InvariantCulture,
        $"a finite number of at least {SmallestDivisor:R} (a normal float, whose reciprocal is finite)");

    /// <summary>Whether <paramref name="value"/> is a divisor a scaling accepts: finite and at least
    /// <see cref="SmallestDivisor"/>.</summary>
    public static bool IsDivisor(float value) => value >= SmallestDivisor && float.IsFinite(value);

    /// <summary>The name written in model files and printed: none, divide or standardize.</summary>
    public abstract string Kind { get; }

    /// <summary>The error for a finite feature that a scaling takes beyond float's range: a divisor or deviation far
    /// smaller than the data it is applied to, whose outputs would be Infinity or NaN.</summary>
    internal static DataFormatException BeyondRange(string source, long example, int feature, float value, string scaling) =>
        new(source, string.Create(CultureInfo.InvariantCulture,
            $"example {example + 1}, feature {feature + 1}: {value:R} is beyond float's range after {scaling}, whose divisor or deviation is too small for these features"));

    /// <summary>Throws <see cref="DataFormatException"/> where a byte feature (0 to 255, a compact set's) would be scaled
    /// beyond float's range; checked once, as the compact set's rows are scaled only as they are read.</summary>
    internal virtual void RequireFiniteOverBytes(string source)
    {
    }

    /// <summary>Applies the scaling to the features of <paramref name="data"/>: in place, or for a compact set as its
    /// rows are read (<see cref="Dataset.Scale"/>).</summary>
    public void ApplyInPlace(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.Scale(this);
    }

    /// <summary>
    /// Writes the scaled values of byte features to <paramref name="destination"/>: whole rows of
    /// <paramref name="featureCount"/>, each value converted to float and then scaled with the same float arithmetic
    /// as <see cref="ApplyInPlace(float[], int, string)"/>, so the results agree bit for bit.
    /// </summary>
    public abstract void Scale(ReadOnlySpan<byte> source, int featureCount, Span<float> destination);

    /// <summary>Throws unless the scaling applies to <paramref name="featureCount"/> features.</summary>
    /// <exception cref="ArgumentException">It was fitted on another number of features.</exception>
    public virtual void CheckFeatureCount(int featureCount, string source)
    {
    }

    /// <summary>destination[i] = (float)source[i], vectorized (a conversion of a byte to float is exact).</summary>
    internal static void Widen(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"{source.Length} values into {destination.Length}", nameof(destination));
        }
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int bytes = Vector<byte>.Count, floats = Vector<float>.Count;
            for (; i <= source.Length - bytes; i += bytes)
            {
                Vector.Widen(new Vector<byte>(source[i..]), out Vector<ushort> low, out Vector<ushort> high);
                Vector.Widen(low, out Vector<uint> u0, out Vector<uint> u1);
                Vector.Widen(high, out Vector<uint> u2, out Vector<uint> u3);
                Vector.ConvertToSingle(Vector.AsVectorInt32(u0)).CopyTo(destination[i..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(u1)).CopyTo(destination[(i + floats)..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(u2)).CopyTo(destination[(i + (2 * floats))..]);
                Vector.ConvertToSingle(Vector.AsVectorInt32(u3)).CopyTo(destination[(i + (3 * floats))..]);
            }
        }
        for (; i < source.Length; i++)
        {
            destination[i] = source[i];
        }
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

        public override void Scale(ReadOnlySpan<byte> source, int featureCount, Span<float> destination) =>
            Widen(source, destination);

        public override string Describe() => "none";
    }
}

/// <summary>Every feature divided by one number (255 for image pixels, 16 for the digits, the training set's largest
/// absolute value for "unit").</summary>
/// <param name="Divisor">A finite number of at least <see cref="InputScaling.SmallestDivisor"/>.</param>
public sealed record DivideScaling(float Divisor) : InputScaling
{
    /// <summary>The divisor, checked.</summary>
    public float Divisor { get; } = IsDivisor(Divisor) ? Divisor
        : throw new ArgumentOutOfRangeException(nameof(Divisor), Divisor, $"expected {DivisorExpected}");

    /// <inheritdoc />
    public override string Kind => "divide";

    /// <inheritdoc />
    public override void ApplyInPlace(float[] features, int featureCount, string source)
    {
        ArgumentNullException.ThrowIfNull(features);
        for (int i = 0; i < features.Length; i++)
        {
            float scaled = features[i] / Divisor; // a true division, so 255/255 is exactly 1
            if (!float.IsFinite(scaled) && float.IsFinite(features[i]))
            {
                throw BeyondRange(source, i / Math.Max(featureCount, 1), i % Math.Max(featureCount, 1), features[i], Describe());
            }
            features[i] = scaled;
        }
    }

    /// <inheritdoc />
    internal override void RequireFiniteOverBytes(string source)
    {
        if (!float.IsFinite(byte.MaxValue / Divisor))
        {
            throw new DataFormatException(source, string.Create(CultureInfo.InvariantCulture,
                $"a feature of {byte.MaxValue} is beyond float's range after {Describe()}; the divisor is too small for these features"));
        }
    }

    /// <inheritdoc />
    public override void Scale(ReadOnlySpan<byte> source, int featureCount, Span<float> destination)
    {
        Widen(source, destination);
        Span<float> values = destination[..source.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // a vector division is the same correctly rounded IEEE division as the scalar one
            var divisor = new Vector<float>(Divisor);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(values[i..]) / divisor).CopyTo(values[i..]);
            }
        }
        for (; i < values.Length; i++)
        {
            values[i] /= Divisor;
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
    internal override void RequireFiniteOverBytes(string source)
    {
        for (int j = 0; j < Standardizer.FeatureCount; j++)
        {
            foreach (float value in (ReadOnlySpan<float>)[byte.MinValue, byte.MaxValue]) // the extremes of (x − mean) / std
            {
                if (!float.IsFinite((value - Standardizer.Mean[j]) / Standardizer.Scale[j]))
                {
                    throw new DataFormatException(source, string.Create(CultureInfo.InvariantCulture,
                        $"feature {j + 1}: {value:R} is beyond float's range after {Describe()}; the deviation is too small for these features"));
                }
            }
        }
    }

    /// <inheritdoc />
    public override void Scale(ReadOnlySpan<byte> source, int featureCount, Span<float> destination)
    {
        CheckFeatureCount(featureCount, "the features");
        Widen(source, destination);
        Standardizer.ApplyToRows(destination[..source.Length]);
    }

    /// <inheritdoc />
    public override void CheckFeatureCount(int featureCount, string source) =>
        Standardizer.CheckFeatureCount(featureCount, source);

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
