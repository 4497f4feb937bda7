using System.Text.Json;

namespace FastNet.Model;

/// <summary>Typed member access with errors that name the file and the field.</summary>
internal sealed class JsonFieldReader(string source)
{
    public ModelFormatException Error(string field, string message) => new($"{source}, field {field}: {message}");

    public void Expect(JsonElement element, JsonValueKind kind, string what)
    {
        if (element.ValueKind != kind)
        {
            throw Error(what, $"expected {Describe(kind)}, found {Describe(element.ValueKind)}");
        }
    }

    public JsonElement Member(JsonElement obj, string name, JsonValueKind kind, string? at = null)
    {
        string field = at is null ? name : $"{at}.{name}";
        if (!obj.TryGetProperty(name, out JsonElement value))
        {
            throw Error(field, "missing");
        }
        Expect(value, kind, field);
        return value;
    }

    public string String(JsonElement obj, string name, string? at = null) =>
        Member(obj, name, JsonValueKind.String, at).GetString()!;

    public int Int(JsonElement obj, string name, string? at = null)
    {
        JsonElement value = Member(obj, name, JsonValueKind.Number, at);
        return value.TryGetInt32(out int result)
            ? result
            : throw Error(at is null ? name : $"{at}.{name}", $"expected an integer, found {value.GetRawText()}");
    }

    public int PositiveInt(JsonElement obj, string name, string? at = null)
    {
        int value = Int(obj, name, at);
        return value > 0 ? value : throw Error(at is null ? name : $"{at}.{name}", $"expected a positive integer, found {value}");
    }

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
                throw Error($"{field}[{k}]", $"expected a finite number, found {item.GetRawText()}");
            }
            values[k++] = v;
        }
        return values;
    }

    public double Double(JsonElement obj, string name, string? at = null)
    {
        JsonElement value = Member(obj, name, JsonValueKind.Number, at);
        return value.TryGetDouble(out double result) && double.IsFinite(result)
            ? result
            : throw Error(at is null ? name : $"{at}.{name}", $"expected a finite number, found {value.GetRawText()}");
    }

    public float Float(JsonElement obj, string name, string? at = null)
    {
        JsonElement value = Member(obj, name, JsonValueKind.Number, at);
        return value.TryGetSingle(out float result) && float.IsFinite(result)
            ? result
            : throw Error(at is null ? name : $"{at}.{name}", $"expected a finite number, found {value.GetRawText()}");
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
            values[k++] = item.GetString()!;
        }
        return values;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
