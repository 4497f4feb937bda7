namespace FastNet.Data;

/// <summary>
/// Examples in memory, row-major: <see cref="Features"/> is [Count, FeatureCount] and <see cref="Targets"/> is
/// [Count, TargetCount]. A classification set has <see cref="ClassCount"/> &gt; 0, one-hot targets and the class
/// of each row in <see cref="Labels"/>; a regression set has real-valued targets and no labels.
/// </summary>
public sealed class Dataset
{
    /// <summary>Builds a dataset, checking that the arrays agree with the sizes.</summary>
    public Dataset(string name, int featureCount, float[] features, int targetCount, float[] targets,
        int classCount = 0, int[]? labels = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        if (features.Length % featureCount != 0)
        {
            throw new ArgumentException($"{features.Length} feature values do not form rows of {featureCount}");
        }
        int count = features.Length / featureCount;
        if (targets.Length != (long)count * targetCount)
        {
            throw new ArgumentException($"{targets.Length} target values for {count} rows of {targetCount}");
        }
        if (classCount > 0 && (labels is null || labels.Length != count || targetCount != classCount))
        {
            throw new ArgumentException("a classification set needs one label per row and one target per class");
        }
        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"{classNames.Count} class names for {classCount} classes");
        }
        Name = name;
        FeatureCount = featureCount;
        Features = features;
        TargetCount = targetCount;
        Targets = targets;
        ClassCount = classCount;
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>Where the data came from, for messages.</summary>
    public string Name { get; }

    /// <summary>Number of examples.</summary>
    public int Count => Features.Length / FeatureCount;

    /// <summary>Inputs per example.</summary>
    public int FeatureCount { get; }

    /// <summary>[Count, FeatureCount].</summary>
    public float[] Features { get; }

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

    /// <summary>True when rows have class labels.</summary>
    public bool IsClassification => ClassCount > 0;

    /// <summary>A new dataset holding the given rows, in that order.</summary>
    public Dataset Subset(ReadOnlySpan<int> rows, string name)
    {
        float[] features = new float[rows.Length * FeatureCount];
        float[] targets = new float[rows.Length * TargetCount];
        int[]? labels = Labels is null ? null : new int[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            Array.Copy(Features, rows[r] * FeatureCount, features, r * FeatureCount, FeatureCount);
            Array.Copy(Targets, rows[r] * TargetCount, targets, r * TargetCount, TargetCount);
            labels?[r] = Labels![rows[r]];
        }
        return new Dataset(name, FeatureCount, features, TargetCount, targets, ClassCount, labels, ClassNames);
    }

    /// <summary>The same examples with other features (same row count), sharing targets and labels.</summary>
    public Dataset WithFeatures(int featureCount, float[] features, string? name = null) =>
        new(name ?? Name, featureCount, features, TargetCount, Targets, ClassCount, Labels, ClassNames);

    /// <summary>One-hot targets for class labels in [0, classCount).</summary>
    public static float[] OneHot(ReadOnlySpan<int> labels, int classCount)
    {
        float[] targets = new float[labels.Length * classCount];
        for (int r = 0; r < labels.Length; r++)
        {
            targets[r * classCount + labels[r]] = 1f;
        }
        return targets;
    }
}
