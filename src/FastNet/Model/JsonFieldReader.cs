using System.Text.Json;
using System.Text.RegularExpressions;

namespace FastNet.Model;

/// <summary>Typed member access with errors that name the file and the field.</summary>
internal sealed partial class JsonFieldReader(string source)
{
    public ModelFormatException Error(string field, string message) => new($"{source}, field {field}: {message}");

    /// <summary>Which version of the format this FastNet reads ("checkpoint format version 1"), said when a member is
    /// refused, where the file's version does not already tell: the member may come from a newer FastNet.</summary>
    public string? VersionRead { get; init; }

    public void Expect(JsonElement element, JsonValueKind kind, string what)
    {
        if (element.ValueKind != kind)
        {
            throw Error(what, $"expected {Describe(kind)}, found {Describe(element.ValueKind)}");
        }
    }

    /// <summary>Refuses a member of <paramref name="obj"/> that is not one of <paramref name="known"/>: in a file of a
    /// version this FastNet reads, every member it may hold is known, so another is a misspelling ("preprocesing")
    /// whose value would otherwise be dropped without a word.</summary>
    public void RequireKnownMembers(JsonElement obj, string? at, params string[] known)
    {
        foreach (JsonProperty member in obj.EnumerateObject())
        {
            if (Array.IndexOf(known, member.Name) < 0)
            {
                string name = PlainName().IsMatch(member.Name) ? member.Name : QuotedText.Of(member.Name);
                string version = VersionRead is null ? "" : $"; this FastNet reads {VersionRead}";
                throw Error(Path(name, at), $"not a member this file may hold; expected {string.Join(", ", known)}{version}");
            }
        }
    }

    /// <summary>Refuses an object anywhere in <paramref name="element"/> that holds a member twice: JSON leaves the
    /// meaning open and System.Text.Json takes the last, so a second "divisor" would change the model without a
    /// word.</summary>
    public void RequireDistinctMembers(JsonElement element, string at = "")
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (JsonElement item in element.EnumerateArray())
            {
                if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    RequireDistinctMembers(item, $"{at}[{index}]");
                }
                index++;
            }
            return;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty member in element.EnumerateObject())
        {
            string name = Text(member, at);
            string field = Path(PlainName().IsMatch(name) ? name : QuotedText.Of(name), at.Length == 0 ? null : at);
            if (!names.Add(name))
            {
                throw Error(field, "appears twice; each member may appear once");
            }
            RequireDistinctMembers(member.Value, field);
        }
    }

    public JsonElement Member(JsonElement obj, string name, JsonValueKind kind, string? at = null)
    {
        string field = Path(name, at);
        if (!obj.TryGetProperty(name, out JsonElement value))
        {
            throw Error(field, "missing");
        }
        Expect(value, kind, field);
        return value;
    }

    /// <summary>Whether the optional member <paramref name="name"/> is there.</summary>
    public static bool Has(JsonElement obj, string name) => obj.TryGetProperty(name, out _);

    public string String(JsonElement obj, string name, string? at = null) =>
        Text(Member(obj, name, JsonValueKind.String, at), Path(name, at));

    /// <summary>A string member turned into a value by <paramref name="parse"/>, whose <see cref="FormatException"/>
    /// becomes an error naming the field.</summary>
    public T Parsed<T>(JsonElement obj, string name, Func<string, T> parse, string? at = null)
    {
        string text = String(obj, name, at);
        try
        {
            return parse(text);
        }
        catch (FormatException e)
        {
            throw Error(Path(name, at), e.Message);
        }
    }

    public bool Bool(JsonElement obj, string name, string? at = null)
    {
        JsonElement value = obj.TryGetProperty(name, out JsonElement v) ? v : throw Error(Path(name, at), "missing");
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(Path(name, at), $"expected true or false, found {Describe(value.ValueKind)}"),
        };
    }

    public int Int(JsonElement obj, string name, string? at = null)
    {
        JsonElement value = Member(obj, name, JsonValueKind.Number, at);
        return value.TryGetInt32(out int result)
            ? result
            : throw Error(Path(name, at), $"expected an integer, found {Raw(value)}");
    }

    public int PositiveInt(JsonElement obj, string name, string? at = null)
    {
        int value = Int(obj, name, at);
        return value > 0 ? value : throw Error(Path(name, at), $"expected a positive integer, found {value}");
    }

    public int NonNegativeInt(JsonElement obj, string name, string? at = null)
    {
        int value = Int(obj, name, at);
        return value >= 0 ? value : throw Error(Path(name, at), $"expected a non-negative integer, found {value}");
    }

    public long NonNegativeLong(JsonElement obj, string name, string? at = null)
    {
        JsonElement value = Member(obj, name, JsonValueKind.Number, at);
        return value.TryGetInt64(out long result) && result >= 0
            ? result
            : throw Error(Path(name, at), $"expected a non-negative integer, found {Raw(value)}");
    }

    public ulong UInt64(JsonElement obj, string name, string? at = null) =>
        UInt64(Member(obj, name, JsonValueKind.Number, at), Path(name, at));

    /// <summary>An unsigned 64-bit integer, as seeds and generator states are.</summary>
    public ulong UInt64(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out ulong result)
            ? result
            : throw Error(field, $"expected an integer from 0 to {ulong.MaxValue}, found {Raw(value)}");

    public float[] Numbers(JsonElement array, int count, string field, string what)
    {
        Expect(array, JsonValueKind.Array, field);
        if (array.GetArrayLength() != count)
        {
            throw Error(field, $"expected {count} {what}, found {array.GetArrayLength()}");
        }
        float[] values = new float[count];
        int k = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out float v) || !float.IsFinite(v))
            {
                throw Error($"{field}[{k}]", $"expected a finite number, found {Raw(item)}");
            }
            values[k++] = v;
        }
        return values;
    }

    public double Double(JsonElement obj, string name, string? at = null) =>
        Double(Member(obj, name, JsonValueKind.Number, at), Path(name, at));

    /// <summary>A finite number.</summary>
    public double Double(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double result) && double.IsFinite(result)
            ? result
            : throw Error(field, $"expected a finite number, found {Raw(value)}");

    public float Float(JsonElement obj, string name, string? at = null)
    {
        JsonElement value = Member(obj, name, JsonValueKind.Number, at);
        return value.TryGetSingle(out float result) && float.IsFinite(result)
            ? result
            : throw Error(Path(name, at), $"expected a finite number, found {Raw(value)}");
    }

    public string[] Strings(JsonElement array, int count, string field, string what)
    {
        Expect(array, JsonValueKind.Array, field);
        if (array.GetArrayLength() != count)
        {
            throw Error(field, $"expected {count} {what}, found {array.GetArrayLength()}");
        }
        string[] values = new string[count];
        int k = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            Expect(item, JsonValueKind.String, $"{field}[{k}]");
            values[k] = Text(item, $"{field}[{k}]");
            k++;
        }
        return values;
    }

    // A header read from raw bytes (a checkpoint's) may hold a string that is not UTF-8.
    private string Text(JsonElement value, string field)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw Error(field, $"not valid UTF-8 text ({e.Message})");
        }
    }

    private string Text(JsonProperty member, string at)
    {
        try
        {
            return member.Name;
        }
        catch (InvalidOperationException e)
        {
            throw Error(at.Length == 0 ? "the document" : at, $"a member name is not valid UTF-8 text ({e.Message})");
        }
    }

    // Names quoted in a field's path only when they need it, as a name holding a dot or a control character does.
    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex PlainName();

    /// <summary>A value as the file holds it, safe to quote in a message.</summary>
    public static string Raw(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Quoted(value),
        JsonValueKind.Number => value.GetRawText().Length <= QuotedText.MaxLength
            ? value.GetRawText()
            : QuotedText.Of(value.GetRawText()),
        _ => Describe(value.ValueKind),
    };

    private static string Quoted(JsonElement text)
    {
        try
        {
            return QuotedText.Of(text.GetString());
        }
        catch (InvalidOperationException)
        {
            return "a string that is not UTF-8";
        }
    }

    private static string Path(string name, string? at) => at is null ? name : $"{at}.{name}";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
