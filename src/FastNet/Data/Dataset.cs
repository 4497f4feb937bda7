namespace FastNet.Data;

/// <summary>
/// Examples in memory, row-major: the features are [Count, FeatureCount] and <see cref="Targets"/> is
/// [Count, TargetCount]. A classification set has <see cref="ClassCount"/> &gt; 0, one-hot targets and the class
/// of each row in <see cref="Labels"/>; a regression set has real-valued targets and no labels.
/// <para>
/// Features are held once, in their storage type: float32, or for images unsigned bytes (<see cref="IsCompact"/>),
/// a quarter of the size. A compact set keeps its bytes unscaled and applies its <see cref="Scaling"/> as rows are
/// read (<see cref="CopyFeatures"/>, <see cref="GatherFeatures"/>), with the same float arithmetic as scaling floats in
/// place, so both forms give the same numbers bit for bit.
/// </para>
/// </summary>
public sealed class Dataset
{
    private float[]? _features;
    private readonly byte[]? _bytes;

    /// <summary>Builds a dataset of float features, checking that the arrays agree with the sizes.</summary>
    public Dataset(string name, int featureCount, float[] features, int targetCount, float[] targets,
        int classCount = 0, int[]? labels = null, IReadOnlyList<string>? classNames = null)
        : this(name, featureCount, features?.Length ?? throw new ArgumentNullException(nameof(features)), targetCount,
            targets, classCount, labels, classNames)
    {
        _features = features;
    }

    /// <summary>Builds a compact dataset of byte features (values 0..255, unscaled), checking the sizes.</summary>
    public Dataset(string name, int featureCount, byte[] features, int targetCount, float[] targets,
        int classCount = 0, int[]? labels = null, IReadOnlyList<string>? classNames = null)
        : this(name, featureCount, features?.Length ?? throw new ArgumentNullException(nameof(features)), targetCount,
            targets, classCount, labels, classNames)
    {
        _bytes = features;
    }

    private Dataset(string name, int featureCount, int featureValues, int targetCount, float[] targets,
        int classCount, int[]? labels, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        if (featureValues % featureCount != 0)
        {
            throw new ArgumentException($"{featureValues} feature values do not form rows of {featureCount}");
        }
        int count = featureValues / featureCount;
        if (targets.Length != (long)count * targetCount)
        {
            throw new ArgumentException($"{targets.Length} target values for {count} rows of {targetCount}");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        if (classCount > 0 && (labels is null || labels.Length != count || targetCount != classCount))
        {
            throw new ArgumentException("a classification set needs one label per row and one target per class");
        }
        if (classCount > 0 && Array.FindIndex(labels!, label => (uint)label >= (uint)classCount) is int bad and >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(labels), labels![bad], $"row {bad}: expected a class in [0, {classCount})");
        }
        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"{classNames.Count} class names for {classCount} classes");
        }
        Name = name;
        Count = count;
        FeatureCount = featureCount;
        TargetCount = targetCount;
        Targets = targets;
        ClassCount = classCount;
        Labels = labels;
        // a copy: the caller's list could change after the count was checked
        ClassNames = classNames is null ? null : [.. classNames];
    }

    /// <summary>Where the data came from, for messages.</summary>
    public string Name { get; }

    /// <summary>Number of examples.</summary>
    public int Count { get; }

    /// <summary>Inputs per example.</summary>
    public int FeatureCount { get; }

    /// <summary>True when the features are stored as bytes and scaled as they are read.</summary>
    public bool IsCompact => _bytes is not null;

    /// <summary>Bytes taken by one stored feature value: 1 for a compact set, else 4.</summary>
    public int BytesPerFeature => IsCompact ? sizeof(byte) : sizeof(float);

    /// <summary>The scaling a compact set applies as its rows are read; <see cref="InputScaling.None"/> for a float
    /// set, whose scaling is applied in place.</summary>
    public InputScaling Scaling { get; private set; } = InputScaling.None;

    /// <summary>
    /// [Count, FeatureCount] as floats, scaled. A float set returns its own array (writes go to the set); a compact set
    /// builds the floats on first use and keeps them, four times its own size: training reads rows instead.
    /// </summary>
    public float[] Features => _features ??= Materialize();

    /// <summary>Targets per example (the number of classes for a classification set).</summary>
    public int TargetCount { get; }

    /// <summary>[Count, TargetCount].</summary>
    public float[] Targets { get; }

    /// <summary>Number of classes, or 0 for regression.</summary>
    public int ClassCount { get; }

    /// <summary>Class of each row for a classification set, else null.</summary>
    public int[]? Labels { get; }

    /// <summary>The names of the classes (class k is <c>ClassNames[k]</c>) when the data named them, as a CSV label
    /// column of words does; else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The names of the real-valued targets (target k is <c>TargetNames[k]</c>) when the data named them, as
    /// a CSV header does; else null.</summary>
    /// <exception cref="ArgumentException">Not one name per target.</exception>
    public IReadOnlyList<string>? TargetNames
    {
        get => _targetNames;
        init => _targetNames = value is null || (!IsClassification && value.Count == TargetCount) ? value
            : throw new ArgumentException($"{value.Count} target names for {TargetCount} real-valued targets");
    }

    private readonly IReadOnlyList<string>? _targetNames;

    /// <summary>True when rows have class labels.</summary>
    public bool IsClassification => ClassCount > 0;

    /// <summary>Writes the scaled features of rows <paramref name="first"/>…<paramref name="first"/>+<paramref name="rows"/>−1
    /// to <paramref name="destination"/> ([rows, FeatureCount]).</summary>
    public void CopyFeatures(int first, int rows, Span<float> destination)
    {
        if (first < 0 || rows < 0 || (long)first + rows > Count || destination.Length < rows * FeatureCount)
        {
            throw new ArgumentOutOfRangeException(nameof(rows),
                $"rows [{first}, {first}+{rows}) of {Count} into {destination.Length} floats");
        }
        int d = FeatureCount;
        if (_bytes is null)
        {
            _features.AsSpan(first * d, rows * d).CopyTo(destination);
            return;
        }
        Scaling.Scale(_bytes.AsSpan(first * d, rows * d), d, destination[..(rows * d)]);
    }

    /// <summary>Writes the scaled features of the rows <paramref name="rows"/> names, in that order, to
    /// <paramref name="destination"/> ([rows.Length, FeatureCount]).</summary>
    public void GatherFeatures(ReadOnlySpan<int> rows, Span<float> destination)
    {
        int d = FeatureCount;
        if (destination.Length < rows.Length * d)
        {
            throw new ArgumentException($"{rows.Length} rows of {d} features into {destination.Length} floats", nameof(destination));
        }
        for (int r = 0; r < rows.Length; r++)
        {
            CopyFeatures(rows[r], 1, destination.Slice(r * d, d));
        }
    }

    /// <summary>
    /// Scales the features: a float set in place, a compact set by taking <paramref name="scaling"/> as the scaling its
    /// rows are read with (once: a compact set already scaled is refused).
    /// </summary>
    public void Scale(InputScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        if (_bytes is null)
        {
            scaling.ApplyInPlace(Features, FeatureCount, Name);
            return;
        }
        if (Scaling.Kind != InputScaling.None.Kind)
        {
            throw new InvalidOperationException($"{Name} is scaled already ({Scaling.Describe()})");
        }
        scaling.CheckFeatureCount(FeatureCount, Name);
        scaling.RequireFiniteOverBytes(Name);
        Scaling = scaling;
        _features = null; // built again, scaled, if asked for
    }

    /// <summary>A new dataset holding the given rows, in that order, stored as this one is.</summary>
    public Dataset Subset(ReadOnlySpan<int> rows, string name)
    {
        float[] targets = new float[rows.Length * TargetCount];
        int[]? labels = Labels is null ? null : new int[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            Array.Copy(Targets, rows[r] * TargetCount, targets, r * TargetCount, TargetCount);
            labels?[r] = Labels![rows[r]];
        }
        if (_bytes is null)
        {
            float[] features = new float[rows.Length * FeatureCount];
            for (int r = 0; r < rows.Length; r++)
            {
                Array.Copy(Features, rows[r] * FeatureCount, features, r * FeatureCount, FeatureCount);
            }
            return new Dataset(name, FeatureCount, features, TargetCount, targets, ClassCount, labels, ClassNames)
            {
                TargetNames = TargetNames,
            };
        }
        byte[] bytes = new byte[rows.Length * FeatureCount];
        for (int r = 0; r < rows.Length; r++)
        {
            Array.Copy(_bytes, rows[r] * FeatureCount, bytes, r * FeatureCount, FeatureCount);
        }
        return new Dataset(name, FeatureCount, bytes, TargetCount, targets, ClassCount, labels, ClassNames)
        {
            Scaling = Scaling,
            TargetNames = TargetNames,
        };
    }

    /// <summary>The same examples under another name, sharing every array.</summary>
    public Dataset WithName(string name) => Copy(name, TargetNames);

    /// <summary>The same examples with <see cref="TargetNames"/>, sharing every array.</summary>
    public Dataset WithTargetNames(IReadOnlyList<string> names) => Copy(Name, names);

    // the same examples, sharing every array (a compact set's bytes with its scaling), under a name and target names
    private Dataset Copy(string name, IReadOnlyList<string>? targetNames) => _bytes is null
        ? new(name, FeatureCount, Features, TargetCount, Targets, ClassCount, Labels, ClassNames) { TargetNames = targetNames }
        : new(name, FeatureCount, _bytes, TargetCount, Targets, ClassCount, Labels, ClassNames)
        {
            Scaling = Scaling,
            TargetNames = targetNames,
        };

    /// <summary>The same examples with other features (same row count), sharing targets and labels.</summary>
    public Dataset WithFeatures(int featureCount, float[] features, string? name = null) =>
        new(name ?? Name, featureCount, features, TargetCount, Targets, ClassCount, Labels, ClassNames)
        {
            TargetNames = TargetNames,
        };

    /// <summary>One-hot targets for class labels in [0, classCount).</summary>
    /// <exception cref="ArgumentException">More targets than one array holds.</exception>
    public static float[] OneHot(ReadOnlySpan<int> labels, int classCount)
    {
        long count = (long)labels.Length * classCount;
        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"{labels.Length} examples of {classCount} classes would make {count} one-hot "
                + $"targets, more than one array holds ({Array.MaxLength}); give fewer classes");
        }
        float[] targets = new float[count];
        for (int r = 0; r < labels.Length; r++)
        {
            // another label would set a neighbouring row's target
            if ((uint)labels[r] >= (uint)classCount)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[r], $"row {r}: expected a class in [0, {classCount})");
            }
            targets[r * classCount + labels[r]] = 1f;
        }
        return targets;
    }

    private float[] Materialize()
    {
        float[] features = new float[_bytes!.Length];
        Scaling.Scale(_bytes, FeatureCount, features);
        return features;
    }
}
