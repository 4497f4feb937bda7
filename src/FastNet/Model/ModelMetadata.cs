using FastNet.Data;
using FastNet.Kernels;

namespace FastNet.Model;

/// <summary>
/// What a model needs besides its layers to be used without the training command line: the preprocessing of its
/// inputs, the loss it was trained with, what its outputs mean, and which data and split it was trained on. Each
/// part is null when unknown (version 1 model files, models built in code).
/// </summary>
public sealed record ModelMetadata
{
    /// <summary>Nothing known.</summary>
    public static ModelMetadata None { get; } = new();

    /// <summary>The preprocessing the training inputs went through; applied again before every forward pass.</summary>
    public InputScaling? Scaling { get; init; }

    /// <summary>The loss trained with.</summary>
    public LossKind? Loss { get; init; }

    /// <summary>A classifier's class names, in output order (class k is output k).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>A regression model's target names, in output order.</summary>
    public IReadOnlyList<string>? TargetNames { get; init; }

    /// <summary>The data and split the model was trained on.</summary>
    public TrainingDataSource? Data { get; init; }

    /// <summary>The hidden layers' dropout rates in training (inverted dropout, one per hidden layer); a record of how
    /// the model was trained only, since inference never drops.</summary>
    public IReadOnlyList<double>? Dropout { get; init; }

    /// <summary>True when the outputs are class scores (class names are recorded).</summary>
    public bool IsClassifier => ClassNames is not null;

    /// <summary>The names of classes that have only numbers: "0", "1", ..., "<paramref name="count"/> − 1".</summary>
    public static IReadOnlyList<string> NumberedClasses(int count) =>
        [.. Enumerable.Range(0, count).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

/// <summary>Where a model's training data came from and how it was split, so that the same held-out set can be
/// drawn again.</summary>
/// <param name="Source">The <c>--data</c> value: "digits" (embedded), a known dataset name, a directory or a file.</param>
/// <param name="TargetColumns">CSV target columns (0 for a class label).</param>
/// <param name="TestFraction">Share held out for testing (null: the data's default).</param>
/// <param name="ValidationFraction">Share of the training part held out for validation.</param>
/// <param name="Seed">The seed of the split.</param>
/// <param name="Labels">The labels file of NumPy features (<c>--labels</c>), or null.</param>
/// <param name="TrainingSha256">SHA-256 (hex) of the training set as trained on (<see cref="Data.DatasetChecksum"/>),
/// so that reading the source again can tell whether it still gives that data; null where not recorded.</param>
/// <param name="Header">Whether a CSV source's first line is a header (<c>--header</c>; auto: detected).</param>
public sealed record TrainingDataSource(string Source, int TargetColumns, double? TestFraction, double ValidationFraction,
    ulong Seed, string? Labels = null, string? TrainingSha256 = null, Data.CsvHeader Header = Data.CsvHeader.Auto);
