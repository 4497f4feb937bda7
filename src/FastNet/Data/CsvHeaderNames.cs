namespace FastNet.Data;

/// <summary>The words for <see cref="CsvHeader"/> on the command line (<c>--header</c>) and in model files.</summary>
public static class CsvHeaderNames
{
    /// <summary>The accepted words, for messages.</summary>
    public const string Words = "auto, present or absent";

    /// <summary>auto, present or absent.</summary>
    public static string Of(CsvHeader header) => header switch
    {
        CsvHeader.Present => "present",
        CsvHeader.Absent => "absent",
        _ => "auto",
    };

    /// <summary>The header handling <paramref name="text"/> names.</summary>
    /// <exception cref="FormatException">Another word.</exception>
    public static CsvHeader Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => CsvHeader.Auto,
        "present" => CsvHeader.Present,
        "absent" => CsvHeader.Absent,
        _ => throw new FormatException($"expected {Words}, found {QuotedText.Of(text)}"),
    };
}
