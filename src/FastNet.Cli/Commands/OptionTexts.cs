using FastNet.Data;

namespace FastNet.Cli.Commands;

/// <summary>Help texts that several commands share, written once so that they read the same everywhere.</summary>
internal static class OptionTexts
{
    /// <summary>What <c>auto</c> picks, in the words the README uses too.</summary>
    public const string AutoRule = "auto (gpu when a CUDA device is present, else simd)";

    /// <summary>Every form <c>--data</c> accepts.</summary>
    public static string DataForms { get; } =
        $"{DataRequest.Digits} (the embedded 8x8 digits), {DatasetCatalog.Names.Replace(", ", " or ", StringComparison.Ordinal)} "
        + "(after 'fastnet data fetch'), a directory of MNIST-style IDX files (raw or .gz), NumPy files (x.npy with "
        + "--labels y.npy, or one .npz with arrays x and y) or a CSV file (.csv or .csv.gz)";

    /// <summary>Said by every output option that writes a file only (binary, rewritten or beside other output), where
    /// a user might expect <c>-</c> to mean standard output.</summary>
    public const string FileOnly = "a file; - for standard output is refused";

    /// <summary>The <c>--backend</c> of a command that runs one backend.</summary>
    public static string Backend =>
        $"{AutoRule} or one of: {string.Join(", ", Backends.All.Select(d => d.Name))}";
}
