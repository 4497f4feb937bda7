using System.Globalization;

namespace FastNet.Data;

/// <summary>
/// A CSV file's class label column. The first label decides how all are read: as class numbers (integers ≥ 0) when
/// it is a number, else as class names, and a column mixing both is an error. Names become classes in sorted ordinal
/// order, not in order of appearance, so every file and split holding the same names gets the same classes; with
/// known names (a model's), each label must be one of them and takes its position.
/// </summary>
internal sealed class CsvLabelColumn(string source, int column, int? classCount, IReadOnlyList<string>? knownNames)
{
    private const int ListedNames = 20;

    private readonly List<int> _rows = []; // each row's class number, or the index of its name in _names
    private readonly Dictionary<string, int> _nameIndex = new(StringComparer.Ordinal);
    private readonly List<string> _names = []; // in order of first appearance (or the known names)
    private bool? _numbers;
    private string _first = "";
    private int _firstLine;
    private int _maxLabel = -1, _maxLabelLine;

    public void Add(ReadOnlySpan<char> field, int line)
    {
        if (field.IsEmpty)
        {
            throw Error("expected a class label (an integer >= 0, or a name), found an empty field", line);
        }
        bool number = double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value);
        if (_numbers is null)
        {
            (_numbers, _first, _firstLine) = (number, field.ToString(), line);
            if (!number && knownNames is not null)
            {
                for (int k = 0; k < knownNames.Count; k++)
                {
                    _nameIndex.TryAdd(knownNames[k], k);
                    _names.Add(knownNames[k]);
                }
            }
        }
        if (number != _numbers)
        {
            throw Error($"class label {Quote(field)} is a {(number ? "number" : "name")}, but the first label (line " +
                $"{_firstLine}: {Quote(_first)}) is a {(number ? "name" : "number")}; a label column holds class numbers " +
                "or class names, not both", line);
        }
        _rows.Add(number ? ClassNumber(field, value, line) : NameIndex(field, line));
    }

    /// <summary>The number of classes, each row's class, and the class names when the labels were names.</summary>
    public (int ClassCount, int[] Labels, IReadOnlyList<string>? Names) Resolve()
    {
        if (_numbers != false)
        {
            int count = classCount ?? _maxLabel + 1;
            if (classCount is null && count > CsvLoader.MaxInferredClasses)
            {
                throw Error($"class label {_maxLabel} would make {count} classes (at most {CsvLoader.MaxInferredClasses} " +
                    "are inferred): give the class count, or read the column as a real-valued target", _maxLabelLine);
            }
            return (count, [.. _rows], null);
        }
        if (knownNames is not null)
        {
            return (knownNames.Count, [.. _rows], knownNames);
        }
        if (_names.Count > CsvLoader.MaxInferredClasses)
        {
            throw Error($"{_names.Count} different class names (at most {CsvLoader.MaxInferredClasses} are inferred): " +
                "is this column a class label?", _firstLine);
        }
        if (classCount is int given && given != _names.Count)
        {
            throw Error($"the labels name {_names.Count} classes, but {given} classes were asked for", _firstLine);
        }
        string[] sorted = [.. _names.Order(StringComparer.Ordinal)];
        int[] position = new int[_names.Count];
        for (int k = 0; k < sorted.Length; k++)
        {
            position[_nameIndex[sorted[k]]] = k;
        }
        return (sorted.Length, [.. _rows.Select(id => position[id])], sorted);
    }

    private int ClassNumber(ReadOnlySpan<char> field, double value, int line)
    {
        if (value < 0 || value > int.MaxValue - 1 || value != Math.Floor(value))
        {
            throw Error($"expected a class label (an integer >= 0, or a name), found {Quote(field)}", line);
        }
        int label = (int)value;
        if (classCount is int classes && label >= classes)
        {
            throw Error($"class label {label} is out of range: expected 0..{classes - 1} ({classes} classes)", line);
        }
        if (label > _maxLabel)
        {
            (_maxLabel, _maxLabelLine) = (label, line);
        }
        return label;
    }

    private int NameIndex(ReadOnlySpan<char> field, int line)
    {
        Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = _nameIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(field, out int index))
        {
            return index;
        }
        if (knownNames is not null)
        {
            string listed = string.Join(", ", knownNames.Take(ListedNames).Select(n => QuotedText.Of(n)))
                + (knownNames.Count > ListedNames ? $" and {knownNames.Count - ListedNames} more" : "");
            throw Error($"class label {Quote(field)} is not one of the {knownNames.Count} classes: {listed}", line);
        }
        index = _names.Count;
        string name = field.ToString();
        if (FastNet.Model.OutputName.Problem(name, "a class name") is string problem)
        {
            throw Error(problem, line);
        }
        _nameIndex.Add(name, index);
        _names.Add(name);
        return index;
    }

    private DataFormatException Error(string problem, int line) => new(source, problem, line: line, column: column + 1);

    internal static string Quote(ReadOnlySpan<char> field) => QuotedText.Of(field);
}
