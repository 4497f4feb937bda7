using System.Globalization;

namespace FastNet.Data;

/// <summary>
/// Reads comma-separated numeric files (plain or gzip) into a <see cref="Dataset"/>: one example per line, either
/// features plus a class label column (class numbers or class names), or features followed by k real-valued target
/// columns (see <see cref="CsvOptions"/>). Numbers use the invariant culture ('.' decimal point). Blank lines are
/// skipped; every other line must have as many fields as the first data line, and a header may name no more columns than
/// that line holds. Features that are all whole numbers from 0 to 255 (pixels) are held as bytes, a compact set
/// (<see cref="Dataset.IsCompact"/>) that reads back the same floats.
/// </summary>
public static class CsvLoader
{
    /// <summary>Inferred class counts above this are refused: such a label column is almost surely not labels.</summary>
    public const int MaxInferredClasses = 10_000;

    /// <summary>Lines longer than this many characters are refused (rows of over a million features), so a file
    /// without line breaks fails early instead of filling memory.</summary>
    public const int MaxLineLength = 1 << 24;

    /// <summary>Loads a .csv or .csv.gz file.</summary>
    /// <exception cref="DataFormatException">The file is missing, unreadable, empty, ragged, holds a non-number, a
    /// NaN or infinity, or a bad class label, or is longer than <see cref="CsvOptions.MaxBytes"/> or has a line
    /// longer than <see cref="MaxLineLength"/>; the message names the file, line and column.</exception>
    public static Dataset Load(string path, CsvOptions? options = null)
    {
        using Stream stream = DataFile.OpenRead(path, (options ?? new CsvOptions()).MaxBytes);
        using var reader = new StreamReader(stream);
        return Read(reader, path, options);
    }

    /// <summary>Reads CSV text; <paramref name="name"/> names the source in messages and becomes the dataset's name.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Load"/>.</exception>
    public static Dataset Read(TextReader reader, string name, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new CsvOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.TargetColumns);
        if (options.ClassCount is int given)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(given, nameof(options.ClassCount));
        }
        return new Parser(reader, name, options).Run()!;
    }

    /// <summary>Loads a CSV file whose every column is a feature (input for prediction): returns the values
    /// row-major and the number of columns.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Load"/>.</exception>
    public static (float[] Features, int Columns) LoadFeatures(string path, CsvHeader header = CsvHeader.Auto)
    {
        using GuardedStream stream = DataFile.OpenRead(path, CsvOptions.DefaultMaxBytes);
        return LoadFeatures(stream, path, header);
    }

    /// <summary>Like <see cref="LoadFeatures(string, CsvHeader)"/>, from the rest of <paramref name="content"/>, opened
    /// by <see cref="DataFile.OpenRead"/> (e.g. after a <see cref="GuardedStream.Peek"/> at its first bytes), whose
    /// limit is lowered to <see cref="CsvOptions.DefaultMaxBytes"/> where it is higher; <paramref name="path"/> names
    /// it in errors.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Load"/>.</exception>
    public static (float[] Features, int Columns) LoadFeatures(GuardedStream content, string path, CsvHeader header = CsvHeader.Auto,
        Action<int>? numberedFirstLine = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        content.LimitTo(CsvOptions.DefaultMaxBytes);
        using var reader = new StreamReader(content, leaveOpen: true);
        var parser = new Parser(reader, path, new CsvOptions { Header = header, NumberedFirstLine = numberedFirstLine },
            featuresOnly: true);
        parser.Run();
        return parser.FeaturesOnly();
    }

    private sealed class Parser(TextReader reader, string name, CsvOptions options, bool featuresOnly = false)
    {
        private readonly CsvLineReader _lines = new(reader, name, MaxLineLength);
        private readonly CsvFeatureValues _features = new();
        private readonly List<float> _targets = [];
        private int _line;
        private int _columns = -1;
        private int _firstDataLine;
        private CsvLabelColumn? _labels;  // in label mode
        private int _labelColumn = -1;  // 0-based, in label mode
        private int _targetStart = int.MaxValue;  // 0-based first target column, in target mode
        private string _firstLineText = "";
        private string? _headerText; // the header line, where one was skipped
        private int _headerLine;

        public Dataset? Run()
        {
            bool headerSkipped = false;
            string? text;
            while ((text = NextLine()) is not null)
            {
                ReadOnlySpan<char> line = text;
                if (line.IsWhiteSpace())
                {
                    continue;
                }
                if (_columns < 0 && !headerSkipped && IsHeader(line))
                {
                    headerSkipped = true;
                    (_headerText, _headerLine) = (text, _line);
                    continue;
                }
                int fields = line.Count(',') + 1;
                if (_columns < 0)
                {
                    _firstLineText = text;
                    CheckHeaderWidth(fields);
                    SetLayout(fields);
                }
                else if (fields != _columns)
                {
                    throw Error($"expected {_columns} fields (as on line {_firstDataLine}), found {fields}");
                }
                ParseRow(line);
            }
            if (_columns < 0)
            {
                throw new DataFormatException(name, headerSkipped ? "no data rows after the header" : "empty file");
            }
            return featuresOnly ? null : Build();
        }

        public (float[] Features, int Columns) FeaturesOnly() => (_features.TakeFloats(), _columns);

        private string? NextLine()
        {
            try
            {
                string? text = _lines.ReadLine();
                _line = _lines.Line;
                return text;
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(name, "corrupt gzip data: " + e.Message, line: _line + 1, innerException: e);
            }
            catch (DataFormatException e) when (e.Line is null && _line > 0)
            {
                // The file's stream cannot count lines; say where in the text its data went bad.
                throw new DataFormatException(name, e.Problem, line: _line + 1, innerException: e);
            }
        }

        private bool IsHeader(ReadOnlySpan<char> line)
        {
            if (options.Header != CsvHeader.Auto)
            {
                return options.Header == CsvHeader.Present;
            }
            // A label column may hold class names, so only the other fields tell a header (a line of one field has
            // no other, and is judged by that one).
            int fields = line.Count(',') + 1;
            int label = featuresOnly || options.TargetColumns > 0 || fields < 2 ? -1
                : options.LabelColumn < 0 ? fields + options.LabelColumn : options.LabelColumn;
            int c = 0;
            bool numbered = fields >= 2;
            foreach (Range r in line.Split(','))
            {
                ReadOnlySpan<char> field = line[r].Trim();
                if (c != label && !field.IsEmpty && !float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    return true;
                }
                numbered &= int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n == c;
                c++;
            }
            if (numbered)
            {
                options.NumberedFirstLine?.Invoke(fields);
            }
            return false;
        }

        // A header that names more columns than the rows hold says a column is missing from them (the last feature
        // would be read as the label): refused rather than read as the rows lie. A narrower one stays allowed (see
        // CsvHeaderColumns). Features alone (prediction input) have no label to mistake, and their count is checked
        // against the model's.
        private void CheckHeaderWidth(int fields)
        {
            if (_headerText is not null && !featuresOnly && CsvHeaderColumns.Named(_headerText) is int named && named > fields)
            {
                throw Error($"expected {named} fields, as the header on line {_headerLine} names, found {fields}");
            }
        }

        private void SetLayout(int fields)
        {
            _columns = fields;
            _firstDataLine = _line;
            if (featuresOnly)
            {
                return;
            }
            if (options.TargetColumns > 0)
            {
                if (fields <= options.TargetColumns)
                {
                    throw Error($"expected more than {options.TargetColumns} fields ({options.TargetColumns} targets " +
                        $"and at least one feature), found {fields}" + (fields == 1 ? SeparatorHint() : ""));
                }
                _targetStart = fields - options.TargetColumns;
                return;
            }
            if (fields < 2)
            {
                throw Error("expected at least 2 fields (features, then a class label), found 1" + SeparatorHint());
            }
            int column = options.LabelColumn < 0 ? fields + options.LabelColumn : options.LabelColumn;
            if (column < 0 || column >= fields)
            {
                throw Error($"label column {options.LabelColumn} does not exist: the line has {fields} fields");
            }
            _labelColumn = column;
            _labels = new CsvLabelColumn(name, column, options.ClassCount, options.ClassNames);
        }

        private void ParseRow(ReadOnlySpan<char> line)
        {
            int c = 0;
            foreach (Range r in line.Split(','))
            {
                ReadOnlySpan<char> field = line[r].Trim();
                if (c == _labelColumn)
                {
                    _labels!.Add(field, _line);
                }
                else
                {
                    float value = ParseNumber(field, c);
                    if (c >= _targetStart)
                    {
                        _targets.Add(value);
                    }
                    else
                    {
                        _features.Add(value);
                    }
                }
                c++;
            }
        }

        private float ParseNumber(ReadOnlySpan<char> field, int column)
        {
            if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
            {
                throw Error(field.IsEmpty ? "expected a number, found an empty field" : $"expected a number, found {Quote(field)}", column);
            }
            if (!float.IsFinite(value))
            {
                throw Error($"expected a finite number, found {Quote(field)}", column);
            }
            return value;
        }

        private Dataset Build()
        {
            int featureCount = _columns - (options.TargetColumns > 0 ? options.TargetColumns : 1);
            if (options.TargetColumns > 0)
            {
                Dataset set = WithFeatures(featureCount, options.TargetColumns, [.. _targets]);
                return HeaderTargetNames() is { } targetNames ? set.WithTargetNames(targetNames) : set;
            }
            (int classCount, int[] labels, IReadOnlyList<string>? names) = _labels!.Resolve();
            return WithFeatures(featureCount, classCount, Dataset.OneHot(labels, classCount), classCount, labels, names);
        }

        // the header's names of the target columns, where it names each one as an output may be named
        private string[]? HeaderTargetNames()
        {
            string[]? fields = _headerText?.Split(',');
            if (fields is null || fields.Length != _columns)
            {
                return null;
            }
            string[] names = [.. fields[^options.TargetColumns..].Select(f => f.Trim().Trim('"'))];
            return names.All(n => n.Length > 0 && Model.OutputName.Problem(n, "a target name") is null) ? names : null;
        }

        // the parsed features with the targets: pixel values 0..255 stay bytes, held once in their storage type and
        // converted as rows are read
        private Dataset WithFeatures(int featureCount, int targetCount, float[] targets, int classCount = 0,
            int[]? labels = null, IReadOnlyList<string>? names = null) => _features.AreBytes
            ? new Dataset(name, featureCount, _features.TakeBytes(), targetCount, targets, classCount, labels, names)
            : new Dataset(name, featureCount, _features.TakeFloats(), targetCount, targets, classCount, labels, names);

        // Semicolons and tabs are the usual other separators; say so rather than leave "1 field" unexplained.
        private string SeparatorHint() =>
            _firstLineText.Contains(';') || _firstLineText.Contains('\t') ? "; fields must be separated by commas" : "";

        private DataFormatException Error(string problem, int? column = null) =>
            new(name, problem, line: _line, column: column + 1);

        private static string Quote(ReadOnlySpan<char> field) => CsvLabelColumn.Quote(field);
    }
}
