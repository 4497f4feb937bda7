using System.Text.Json;

namespace FastNet.Cli.Reporting;

/// <summary>The reports' one JSON habit: a figure that could not be measured is written as null, not left out.</summary>
internal static class JsonWriterExtensions
{
    public static void WriteNumberOrNull(this Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is long v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
