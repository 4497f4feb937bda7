using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FastNet.Model;

/// <summary>
/// A JSON syntax error as FastNet's messages state it: where (<c>line 22, byte 5</c>, counted from 1) and what
/// (<c>"x" is invalid after a value. Expected either ',', '}', or ']'.</c>). System.Text.Json's own message quotes
/// the offending text as it is, which can run over many lines of the file or hold control characters, and counts
/// lines from 0; here that text is quoted through <see cref="QuotedText"/>.
/// </summary>
internal static partial class JsonSyntaxError
{
    /// <summary>" line 22, byte 5" (with a leading space), or "" when the error has no position.</summary>
    public static string Location(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.LineNumber is long line ? $" line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
    }

    /// <summary>"line 22, byte 5: " and the <see cref="Reason"/>, for a message that gives the position in parentheses.</summary>
    public static string Describe(JsonException e) =>
        Location(e) is { Length: > 0 } location ? $"{location.TrimStart()}: {Reason(e)}" : Reason(e);

    /// <summary>What is wrong, on one line, with the file's text quoted safely and without the 0-based position.</summary>
    public static string Reason(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = Position().Replace(e.Message, "");
        Match quoted = QuotedStart().Match(message);
        return quoted.Success
            ? QuotedText.Of(quoted.Groups["text"].Value) + Escaped(quoted.Groups["rest"].Value)
            : Escaped(message);
    }

    // The reader's messages that quote the file start with the text in single quotes, then " is ...".
    [GeneratedRegex(@"^'(?<text>.*)'(?<rest> is .*)$", RegexOptions.Singleline)]
    private static partial Regex QuotedStart();

    [GeneratedRegex(@"(\s*Path: \S* \|)?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.$")]
    private static partial Regex Position();

    private static string Escaped(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }
}
