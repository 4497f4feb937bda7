namespace FastNet.Cli.Commands;

/// <summary>
/// A comma-separated option of names (backends, workloads): empty entries are dropped, and a list left with no name is
/// an error, since running nothing would report success.
/// </summary>
internal static class NameList
{
    /// <summary>The names in <paramref name="text"/>, given to <paramref name="option"/>; <paramref name="expected"/>
    /// says what it takes, e.g. "comma-separated backends".</summary>
    /// <exception cref="ArgumentException">The list names nothing.</exception>
    public static string[] Parse(string option, string text, string expected)
    {
        string[] names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length > 0 ? names
            : throw new ArgumentException($"{option}: expected {expected}, found {QuotedText.Of(text)}");
    }

    /// <summary><see cref="Parse"/> for <c>--backend</c>, naming the backends available here.</summary>
    public static string[] Backends(string text) => Parse("--backend", text,
        "one or more comma-separated backends (available here: "
        + string.Join(", ", FastNet.Backends.Available.Select(d => d.Name)) + ")");
}
