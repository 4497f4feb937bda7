using System.Globalization;
using FastNet.Data;
using FastNet.Model;

namespace FastNet.Cli.Commands;

/// <summary>Which data a command reads and how it splits it.</summary>
/// <param name="Source">"digits" (the embedded set), mnist, fashion-mnist, a directory of IDX files or a CSV file.</param>
/// <param name="Targets">The last k CSV columns are real-valued targets (0: the last column is a class label).</param>
/// <param name="TestFraction">Share held out for testing; null: 0.2 for the digits, none for other data.</param>
/// <param name="ValidationFraction">Share of the training part held out for validation.</param>
/// <param name="Seed">Seeds the split.</param>
/// <param name="Classes">Number of classes of labelled data; null: one more than the largest label.</param>
/// <param name="Labels">The labels or targets (.npy) of NumPy features.</param>
/// <param name="ClassNames">A model's class names: a CSV label column of names is read against them.</param>
/// <param name="Header">Whether a CSV file's first line is a header (<c>--header</c>).</param>
internal sealed record DataRequest(string Source, int Targets, double? TestFraction, double ValidationFraction,
    ulong Seed, int? Classes = null, string? Labels = null, IReadOnlyList<string>? ClassNames = null,
    CsvHeader Header = CsvHeader.Auto)
{
    /// <summary>The name of the embedded 8×8 digits.</summary>
    public const string Digits = "digits";

    /// <summary>What a model records of this request.</summary>
    public TrainingDataSource ToSource() => new(Source, Targets, TestFraction, ValidationFraction, Seed, Labels, Header: Header);

    /// <summary>The request a model recorded.</summary>
    public static DataRequest From(TrainingDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new(source.Source, source.TargetColumns, source.TestFraction, source.ValidationFraction, source.Seed,
            Labels: source.Labels, Header: source.Header);
    }
}

/// <summary>How many examples each set of a run holds, under the training set's name.</summary>
internal sealed record SetSizes(string Name, int Train, int Validation, int Test);

/// <summary>The training, validation and test sets of a run, scaled, with the scaling that was applied.</summary>
internal sealed record DataSplits(Dataset Train, Dataset? Validation, Dataset? Test, InputScaling Scaling,
    DataRequest Request)
{
    private const float DigitsScale = 16, ImageScale = 255;
    private const double DigitsTestFraction = 0.2;

    /// <summary>The share held out for testing where <c>--test-fraction</c> is not given: 0.2 of the embedded digits,
    /// none of other data (a dataset with a test set of its own keeps that).</summary>
    internal static double DefaultTestFraction(string source) =>
        source.Equals(DataRequest.Digits, StringComparison.OrdinalIgnoreCase) ? DigitsTestFraction : 0;

    /// <summary>The sets' sizes.</summary>
    public SetSizes Sizes => new(Train.Name, Train.Count, Validation?.Count ?? 0, Test?.Count ?? 0);

    /// <summary>
    /// The sizes <see cref="Load"/> will give, as the data declares them before it is read: IDX data (a cached dataset
    /// or a directory) states its counts in the images files' headers. Null for other data, which must be read to be
    /// counted, and where a header cannot be read or the request is one <see cref="Load"/> refuses (it then says why).
    /// </summary>
    public static SetSizes? Declared(DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ValidationFraction is < 0 or >= 1 || request.TestFraction is < 0 or >= 1
            || IdxSource(request.Source) is not (string directory, string name, _)
            || MnistDirectory.DeclaredCounts(directory) is not (int train, int test))
        {
            return null;
        }
        int validation = request.ValidationFraction > 0 ? DataSplitter.PartSize(train, request.ValidationFraction) : 0;
        return new SetSizes(name + " (train)", train - validation, validation, test);
    }

    /// <summary>Throws when the sets loaded from <paramref name="source"/> are not the sizes its headers declared
    /// (and the first line printed): the files changed between the two reads.</summary>
    public static void RequireDeclaredSizes(SetSizes declared, SetSizes loaded, string source)
    {
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(loaded);
        if (declared != loaded)
        {
            throw new DataFormatException(source, "the data changed while it was read: its headers declared "
                + $"{declared.Train + declared.Validation} training and {declared.Test} test examples, its contents hold "
                + $"{loaded.Train + loaded.Validation} and {loaded.Test}");
        }
    }

    /// <summary>Whether <paramref name="data"/> is read as a CSV file: not the digits, a dataset, a directory of IDX
    /// files or NumPy data.</summary>
    public static bool IsCsv(string data) =>
        !data.Equals(DataRequest.Digits, StringComparison.OrdinalIgnoreCase) && IdxSource(data) is null
        && !NumpyData.IsNumpyFile(data);

    // Where IDX data named `data` lies and what its sets are called: a known dataset in the cache that `fastnet data
    // fetch` fills (Known), or a directory of IDX files; null for the embedded digits and for files.
    private static (string Directory, string Name, KnownDataset? Known)? IdxSource(string data)
    {
        if (data.Equals(DataRequest.Digits, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return DatasetCatalog.Find(data) is KnownDataset known ? (new DatasetFetcher().DirectoryOf(known), known.Name, known)
            : Directory.Exists(data) ? (data, MnistDirectory.NameOf(data), null)
            : null;
    }

    /// <summary>The names of the classes (class k is output k): the data's own (a CSV label column of names), a
    /// known dataset's, else "0", "1", ...; null for regression data.</summary>
    public IReadOnlyList<string>? ClassNames => !Train.IsClassification ? null
        : Train.ClassNames ?? DatasetCatalog.Find(Request.Source)?.ClassNames
            ?? ModelMetadata.NumberedClasses(Train.ClassCount);

    /// <summary>
    /// Loads the data of <paramref name="request"/>: the embedded digits, a known dataset name (mnist, fashion-mnist:
    /// from the cache that <c>fastnet data fetch</c> fills, with their own test sets), a directory of MNIST-style IDX
    /// files, NumPy files (.npy features with .npy labels, or one .npz) or a CSV file. Splits off a test set (when the data has none) and a validation set, then scales every
    /// set: with <paramref name="scaling"/> when given (a model's recorded preprocessing), else as
    /// <paramref name="scale"/> says: "auto" divides the digits by 16 and the images by 255 and leaves CSV values as
    /// they are; "unit" divides by the training set's largest absolute value; "standardize" uses the training set's
    /// mean and deviation; "none".
    /// </summary>
    public static DataSplits Load(DataRequest request, string scale, InputScaling? scaling = null, TextWriter? notices = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        // written so that NaN, which no comparison holds for, is refused too
        if (request.TestFraction is double testShare && !(testShare >= 0 && testShare < 1))
        {
            throw new ArgumentException($"--test-fraction: expected a value in [0, 1), got {request.TestFraction}");
        }
        if (!(request.ValidationFraction >= 0 && request.ValidationFraction < 1))
        {
            throw new ArgumentException($"--validation-fraction: expected a value in [0, 1), got {request.ValidationFraction}");
        }
        if (request.Labels is not null && !NumpyData.IsNumpyFile(request.Source))
        {
            throw new ArgumentException($"--labels: only for NumPy features (--data x.npy), not {request.Source}");
        }
        if (request.Targets < 0)
        {
            throw new ArgumentException($"--targets: expected a number of target columns of at least 0, got {request.Targets}");
        }
        if (request.Classes is <= 0)
        {
            throw new ArgumentException($"--classes: expected a positive number, got {request.Classes}");
        }
        string data = request.Source;
        bool digits = data.Equals(DataRequest.Digits, StringComparison.OrdinalIgnoreCase);
        (string Directory, string Name, KnownDataset? Known)? idx = IdxSource(data);
        // an option the data has no use for is refused rather than recorded in the model as if it had been applied
        if (request.Targets != 0 && !IsCsv(data))
        {
            throw new ArgumentException($"--targets: only for CSV data (its last columns as real-valued targets), not {data}");
        }
        if (request.Header != CsvHeader.Auto && !IsCsv(data))
        {
            throw new ArgumentException($"--header: only for CSV data, not {data}");
        }
        if (idx is not null && request.TestFraction is not null)
        {
            throw new ArgumentException($"--test-fraction: {data} comes with its own test set; leave --test-fraction out");
        }
        float autoDivisor = digits ? DigitsScale : idx is not null ? ImageScale : 1;
        Dataset train;
        Dataset? validation, test;
        if (idx is (string directory, _, var known))
        {
            // a known dataset's files are verified against their checksums as they load
            TrainTestSplit images = known is not null ? new DatasetFetcher().Load(known, request.Classes ?? 10)
                : MnistDirectory.Load(directory, request.Classes ?? 10);
            (train, validation) = WithValidation(images.Train, request.ValidationFraction, request.Seed);
            test = images.Test;
        }
        else
        {
            Dataset all = digits ? EmbeddedDatasets.Digits(request.Classes ?? 10)
                : NumpyData.IsNumpyFile(data) ? NumpyData.Load(data, request.Labels, request.Classes)
                : CsvLoader.Load(data, new CsvOptions
                {
                    TargetColumns = request.Targets,
                    Header = request.Header,
                    NumberedFirstLine = columns => notices?.WriteLine(NumberedHeader.Warning(data, columns)),
                    ClassCount = request.Classes,
                    ClassNames = request.ClassNames,
                });
            double testFraction = request.TestFraction ?? DefaultTestFraction(data);
            if (testFraction == 0)
            {
                (train, validation) = WithValidation(all, request.ValidationFraction, request.Seed);
                test = null;
            }
            else
            {
                TrainTestSplit split = DataSplitter.Split(all, testFraction, request.Seed, request.ValidationFraction);
                (train, validation, test) = (split.Train, split.Validation, split.Test);
            }
        }
        InputScaling applied = scaling ?? Fit(scale, autoDivisor, train);
        // In place: a copy would hold the sets twice until the garbage collector ran.
        foreach (Dataset? set in new[] { train, validation, test })
        {
            if (set is not null)
            {
                applied.ApplyInPlace(set);
            }
        }
        // Loading floats leaves garbage as large as the data (file bytes, grown lists, the rows before a split). Collect it
        // and give its pages back now, before a backend copies the sets, so that the two never add up in memory. Compact
        // sets stay on the host and are read as they were loaded: nothing large to give back.
        if (!train.IsCompact)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        return new DataSplits(train, validation, test, applied, request);
    }

    /// <summary>The scaling that <paramref name="scale"/> names, fitted on <paramref name="train"/> where it needs
    /// statistics.</summary>
    private static InputScaling Fit(string scale, float autoDivisor, Dataset train) => scale.Trim().ToLowerInvariant() switch
    {
        "auto" => autoDivisor == 1 ? InputScaling.None : new DivideScaling(autoDivisor),
        "none" => InputScaling.None,
        "unit" => UnitScale(train),
        "standardize" => new StandardizeScaling(Standardizer.Fit(train)),
        _ => throw new FormatException($"--scale: unknown scaling '{scale}'; expected auto, none, unit or standardize"),
    };

    private static (Dataset Train, Dataset? Validation) WithValidation(Dataset train, double validationFraction, ulong seed)
    {
        if (validationFraction == 0)
        {
            return (train, null);
        }
        // The splitter's held-out part becomes the validation set (said so here: the splitter would call it a test set);
        // the parts are named after the data, not the split.
        int held = DataSplitter.PartSize(train.Count, validationFraction);
        if (held >= train.Count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--validation-fraction {validationFraction}: ")
                + $"{train.Count} training examples leave none to train on after {held} validation examples");
        }
        TrainTestSplit split = DataSplitter.Split(train, validationFraction, seed);
        string data = train.Name.EndsWith(" (train)", StringComparison.Ordinal) ? train.Name[..^" (train)".Length] : train.Name;
        return (Renamed(split.Train, data + " (train)"), Renamed(split.Test!, data + " (validation)"));
    }

    private static Dataset Renamed(Dataset set, string name) => set.WithName(name);

    private static InputScaling UnitScale(Dataset train)
    {
        float max = train.Count == 0 ? 1 : train.IsCompact ? MaxAbs(train) : train.Features.Max(MathF.Abs);
        // all zeros, or values too small to divide by (subnormal), are left as they are
        return InputScaling.IsDivisor(max) ? new DivideScaling(max) : InputScaling.None;
    }

    // the largest absolute value of a compact set, a row at a time (it is not built whole)
    private static float MaxAbs(Dataset data)
    {
        float[] row = new float[data.FeatureCount];
        float max = 0;
        for (int r = 0; r < data.Count; r++)
        {
            data.CopyFeatures(r, 1, row);
            foreach (float value in row)
            {
                max = Math.Max(max, MathF.Abs(value));
            }
        }
        return max;
    }
}
