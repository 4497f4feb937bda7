using System.Globalization;

namespace FastNet.Data;

/// <summary>How many columns a CSV header line names, to hold it against the rows under it.</summary>
internal static class CsvHeaderColumns
{
    /// <summary>
    /// The number of columns <paramref name="header"/> names: its comma-separated fields, a quoted name counting once
    /// even when it holds a comma, and empty fields at its end not counted. Null when it names no columns:
    /// scikit-learn's files begin "n_samples,n_features,class names…", as does any header whose first two fields are
    /// whole numbers.
    /// </summary>
    public static int? Named(string header)
    {
        List<string> names = Fields(header);
        while (names.Count > 0 && names[^1].Length == 0)
        {
            names.RemoveAt(names.Count - 1);
        }
        bool counts = names.Count >= 2
            && names.Take(2).All(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        return counts ? null : names.Count;
    }

    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        bool quoted = false;
        int start = 0;
        for (int i = 0; i <= line.Length; i++)
        {
            if (i == line.Length || (line[i] == ',' && !quoted))
            {
                fields.Add(line[start..i].Trim());
                start = i + 1;
            }
            else if (line[i] == '"')
            {
                quoted = !quoted;
            }
        }
        return fields;
    }
}
