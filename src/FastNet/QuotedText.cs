using System.Globalization;
using System.Text;

namespace FastNet;

/// <summary>
/// A fragment of a file's content as an error message quotes it: in double quotes, with control and invisible
/// formatting characters, quotes and backslashes escaped, and cut to <see cref="MaxLength"/> characters with an
/// ellipsis, so a bad file can neither break the message across lines nor flood the terminal.
/// </summary>
public static class QuotedText
{
    /// <summary>The most characters of the fragment quoted; a longer one ends in "…".</summary>
    public const int MaxLength = 60;

    /// <summary><paramref name="text"/> quoted and escaped.</summary>
    public static string Of(ReadOnlySpan<char> text)
    {
        string escaped = Escape(text, out bool cut);
        return cut ? $"\"{escaped}\"…" : $"\"{escaped}\"";
    }

    /// <summary><paramref name="text"/> escaped and cut as <see cref="Of"/> does, without the quotes: for a fragment a
    /// message sets off otherwise, as an operator's name in parentheses.</summary>
    public static string Bare(ReadOnlySpan<char> text)
    {
        string escaped = Escape(text, out bool cut);
        return cut ? escaped + "…" : escaped;
    }

    private static string Escape(ReadOnlySpan<char> text, out bool cut)
    {
        var quoted = new StringBuilder(Math.Min(text.Length, MaxLength) + 8);
        int end = Math.Min(text.Length, MaxLength);
        if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
        {
            end--; // never split a surrogate pair
        }
        for (int i = 0; i < end; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    bool pair = char.IsHighSurrogate(c) && i + 1 < end && char.IsLowSurrogate(text[i + 1]);
                    if (pair)
                    {
                        quoted.Append(c).Append(text[++i]);
                    }
                    else if (Invisible(c))
                    {
                        quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        quoted.Append(c);
                    }
                    break;
            }
        }
        cut = end < text.Length;
        return quoted.ToString();
    }

    // Control characters break a terminal line or move the cursor; format characters (bidirectional overrides,
    // zero-width spaces) make the quoted text read differently from what the file holds; an unpaired surrogate is not
    // text at all.
    private static bool Invisible(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029'
        || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
