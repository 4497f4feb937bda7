using FastNet.Data;

namespace FastNet.Cli.Commands;

/// <summary>The <c>--header</c> option of train, eval and predict.</summary>
internal static class HeaderOption
{
    public const string Description = "whether a CSV file's first line is a header: auto (when a field other than a "
        + "class label is not a number), present or absent";

    /// <summary>The header handling the option's <paramref name="text"/> names.</summary>
    /// <exception cref="FormatException">Another word, named with the option.</exception>
    public static CsvHeader Parse(string text)
    {
        try
        {
            return CsvHeaderNames.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"--header: {e.Message}", e);
        }
    }
}
