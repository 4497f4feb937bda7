namespace FastNet.Data;

/// <summary>Whether a CSV file's first line is a header.</summary>
public enum CsvHeader
{
    /// <summary>The first line is a header when any of its fields other than a class label is not a number.</summary>
    Auto,

    /// <summary>The first line is always a header and is skipped.</summary>
    Present,

    /// <summary>Every line is data.</summary>
    Absent,
}

/// <summary>
/// How to read a CSV file. By default the last column holds class labels: non-negative integers (the classes are
/// 0..max label), or words such as <c>cat</c> and <c>dog</c> (the classes are the words in sorted order, so the
/// same words give the same classes in every file and split, or <see cref="ClassNames"/>); set <see cref="TargetColumns"/> to k &gt; 0 to read the last k columns as real-valued targets
/// instead (regression or multi-output).
/// </summary>
public sealed record CsvOptions
{
    /// <summary>Header handling; <see cref="CsvHeader.Auto"/> by default.</summary>
    public CsvHeader Header { get; init; } = CsvHeader.Auto;

    /// <summary>Told the number of fields where detection (<see cref="CsvHeader.Auto"/>) reads a first line of
    /// 0,1,…,n−1 as data: the column names pandas writes for a frame made from an array look like data.</summary>
    public Action<int>? NumberedFirstLine { get; init; }

    /// <summary>0-based index of the class label column; negative counts from the end, so -1 (the default) is the
    /// last column. Ignored when <see cref="TargetColumns"/> &gt; 0.</summary>
    public int LabelColumn { get; init; } = -1;

    /// <summary>Number of classes; labels at or above it are rejected. Null (the default) means max label + 1.</summary>
    public int? ClassCount { get; init; }

    /// <summary>The names of the classes in output order (a model's), for a label column of words: each word is
    /// read as the class of that name, and a word not among them is an error. Null (the default): the file's own
    /// words, sorted by ordinal comparison, are the classes. Numeric labels ignore it.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>When &gt; 0, the last this many columns are real-valued targets and there are no class labels.</summary>
    public int TargetColumns { get; init; }

    /// <summary>The default of <see cref="MaxBytes"/>: 1 GiB, some ten times MNIST as CSV. The values then take at
    /// most 2 GiB as floats (a value is at least two characters with its comma).</summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>The most bytes read from a file (after decompression); a longer file is refused, naming the limit, so
    /// a decompression bomb or an endless pipe stops early.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;
}
