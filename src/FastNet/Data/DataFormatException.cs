namespace FastNet.Data;

/// <summary>
/// Bad input data: a missing or unreadable file, a malformed record, a value out of range, a failed checksum. The
/// message names the file, the line or record and the column where known, then what was expected, e.g.
/// <c>digits.csv line 12, column 65: expected a number, found "abc"</c>.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>An error in <paramref name="file"/>; give a 1-based <paramref name="line"/> (text) or
    /// <paramref name="record"/> (binary) and a 1-based <paramref name="column"/> where they are known.</summary>
    public DataFormatException(string file, string problem, int? line = null, long? record = null, int? column = null,
        Exception? innerException = null)
        : base(Compose(file, problem, line, record, column), innerException)
    {
        File = file;
        Problem = problem;
        Line = line;
        Record = record;
        Column = column;
    }

    /// <summary>The file (or resource) the data came from, as the caller named it.</summary>
    public string File { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    /// <summary>1-based line of a text file, if known.</summary>
    public int? Line { get; }

    /// <summary>1-based record (image, label) of a binary file, if known.</summary>
    public long? Record { get; }

    /// <summary>1-based column or field, if known.</summary>
    public int? Column { get; }

    private static string Compose(string file, string problem, int? line, long? record, int? column)
    {
        var where = new System.Text.StringBuilder(file);
        if (line is int l)
        {
            where.Append(" line ").Append(l);
        }
        if (record is long r)
        {
            where.Append(" record ").Append(r);
        }
        if (column is int c)
        {
            where.Append(line is null && record is null ? " column " : ", column ").Append(c);
        }
        return $"{where}: {problem}";
    }
}
