namespace FastNet.Cli.Commands;

/// <summary>
/// A CSV file whose first line is 0,1,…,n−1: the column names pandas writes for a frame made from an array. Detection
/// reads it as data (every field is a number), so it becomes an example; the commands say so and how to read it as a
/// header.
/// </summary>
internal static class NumberedHeader
{
    /// <summary>What to say of <paramref name="path"/>, whose first line of <paramref name="columns"/> fields was
    /// read so.</summary>
    public static string Warning(string path, int columns)
    {
        string line = columns <= 4 ? string.Join(',', Enumerable.Range(0, columns)) : $"0,1,…,{columns - 1}";
        return $"fastnet: warning: {path}: line 1 is {line} and is read as data; if it is a header of column numbers "
            + "(as pandas writes one), give --header present";
    }
}
