using FastNet.Data;

namespace FastNet.Cli.Commands;

/// <summary>The training, validation and test sets of a run, scaled.</summary>
internal sealed record DataSplits(Dataset Train, Dataset? Validation, Dataset? Test)
{
    private const float DigitsScale = 16, ImageScale = 255;
    private const double DigitsTestFraction = 0.2;

    /// <summary>
    /// Loads <paramref name="data"/>: null for the embedded digits, a known dataset name (mnist, fashion-mnist: from the
    /// cache that <c>fastnet data fetch</c> fills, with their own test sets), a directory of MNIST-style IDX files, or
    /// a CSV file. Splits off a test set
    /// (when the data has none) and a validation set with <paramref name="seed"/>, then scales: "auto" divides the
    /// digits by 16 and the images by 255 and leaves CSV values as they are; "unit" divides by the training set's
    /// largest absolute value; "standardize" uses the training set's mean and deviation; "none".
    /// </summary>
    public static DataSplits Load(string? data, int targets, double? testFraction, double validationFraction,
        string scale, ulong seed)
    {
        if (testFraction is < 0 or >= 1)
        {
            throw new ArgumentException($"--test-fraction: expected a value in [0, 1), got {testFraction}");
        }
        if (validationFraction is < 0 or >= 1)
        {
            throw new ArgumentException($"--validation-fraction: expected a value in [0, 1), got {validationFraction}");
        }
        KnownDataset? known = data is null ? null : DatasetCatalog.Find(data);
        bool idxDirectory = data is not null && known is null && Directory.Exists(data);
        float autoDivisor = data is null ? DigitsScale : known is not null || idxDirectory ? ImageScale : 1;
        DataSplits splits;
        if (known is not null || idxDirectory)
        {
            TrainTestSplit images = known is not null ? new DatasetFetcher().Load(known) : MnistDirectory.Load(data!);
            splits = WithValidation(images.Train, images.Test, validationFraction, seed);
        }
        else
        {
            Dataset all = data is null
                ? EmbeddedDatasets.Digits()
                : CsvLoader.Load(data, new CsvOptions { TargetColumns = targets });
            double test = testFraction ?? (data is null ? DigitsTestFraction : 0);
            if (test == 0)
            {
                splits = WithValidation(all, null, validationFraction, seed);
            }
            else
            {
                TrainTestSplit split = DataSplitter.Split(all, test, seed, validationFraction);
                splits = new DataSplits(split.Train, split.Validation, split.Test);
            }
        }
        splits.Scale(scale, autoDivisor);
        // Loading leaves garbage as large as the data (file bytes, grown lists, the rows before a split). Collect it and
        // give its pages back now, before a backend copies the sets, so that the two never add up in memory.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return splits;
    }

    private static DataSplits WithValidation(Dataset train, Dataset? test, double validationFraction, ulong seed)
    {
        if (validationFraction == 0)
        {
            return new DataSplits(train, null, test);
        }
        // The splitter's held-out part becomes the validation set.
        TrainTestSplit split = DataSplitter.Split(train, validationFraction, seed);
        return new DataSplits(split.Train, split.Test, test);
    }

    // Scales the features in place: a copy would hold the sets twice until the garbage collector ran.
    private void Scale(string scale, float autoDivisor)
    {
        Action<Dataset>? apply = scale.Trim().ToLowerInvariant() switch
        {
            "auto" => autoDivisor == 1 ? null : d => Scaling.DivideInPlace(d, autoDivisor),
            "none" => null,
            "unit" => UnitScale(),
            "standardize" => Standardizer.Fit(Train).ApplyInPlace,
            _ => throw new FormatException($"--scale: unknown scaling '{scale}'; expected auto, none, unit or standardize"),
        };
        foreach (Dataset? set in new[] { Train, Validation, Test })
        {
            if (set is not null)
            {
                apply?.Invoke(set);
            }
        }
    }

    private Action<Dataset>? UnitScale()
    {
        float max = Train.Features.Length == 0 ? 1 : Train.Features.Max(MathF.Abs);
        return max > 0 ? d => Scaling.DivideInPlace(d, max) : null;
    }
}
