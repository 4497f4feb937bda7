namespace FastNet.Data;

/// <summary>Seeded shuffles and splits: a seed always gives the same rows in the same order.</summary>
public static class DataSplitter
{
    /// <summary>The rows of <paramref name="data"/> in a seeded random order.</summary>
    public static Dataset Shuffle(Dataset data, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Subset(Permutation(data.Count, seed), data.Name);
    }

    /// <summary>
    /// Splits the shuffled rows into train, validation and test sets: the test set takes the first
    /// round(N·<paramref name="testFraction"/>) rows of the permutation, the validation set the next
    /// round(N·<paramref name="validationFraction"/>), the training set the rest. A non-zero fraction always gets at
    /// least one row; with <paramref name="validationFraction"/> = 0 there is no validation set. No stratification.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is outside [0, 1), the test fraction is 0, or nothing
    /// would be left to train on.</exception>
    public static TrainTestSplit Split(Dataset data, double testFraction, ulong seed, double validationFraction = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "expected a fraction in (0, 1)");
        }
        if (!(validationFraction >= 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "expected a fraction in [0, 1)");
        }
        int n = data.Count;
        int testCount = PartSize(n, testFraction);
        int validationCount = validationFraction > 0 ? PartSize(n, validationFraction) : 0;
        int trainCount = n - testCount - validationCount;
        if (trainCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction),
                $"{n} examples leave none to train on after {testCount} test and {validationCount} validation examples");
        }
        int[] order = Permutation(n, seed);
        ReadOnlySpan<int> rows = order;
        Dataset test = data.Subset(rows[..testCount], data.Name + " (test)");
        Dataset? validation = validationCount > 0
            ? data.Subset(rows.Slice(testCount, validationCount), data.Name + " (validation)")
            : null;
        Dataset train = data.Subset(rows[(testCount + validationCount)..], data.Name + " (train)");
        return new TrainTestSplit(train, validation, test);
    }

    /// <summary>A seeded permutation of 0..<paramref name="count"/>-1 (Fisher–Yates over <see cref="SeededRandom"/>).</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        new SeededRandom(seed).Shuffle(order);
        return order;
    }

    /// <summary>The rows a fraction in (0, 1) of <paramref name="n"/> holds out: rounded, at least one.</summary>
    public static int PartSize(int n, double fraction) => Math.Max(1, (int)Math.Round(n * fraction, MidpointRounding.AwayFromZero));
}
