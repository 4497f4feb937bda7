using System.Globalization;
using System.Text;
using System.Text.Json;
using FastNet.Kernels;

namespace FastNet.Model;

/// <summary>
/// The model file: a JSON document holding the architecture and the parameters.
/// <code>
/// {
///   "format": "fastnet-model", "version": 1,
///   "inputs": 2,
///   "layers": [
///     { "units": 2, "activation": "sigmoid", "weights": [[w11, w12], [w21, w22]], "biases": [b1, b2] },
///     { "units": 1, "activation": "sigmoid", "weights": [[w31, w32]] }
///   ]
/// }
/// </code>
/// <c>weights[j][i]</c> is the weight from input i to unit j (the seeds' w_ji), so each row lists one unit's
/// incoming weights. <c>biases[j]</c> is unit j's bias; a layer without a "biases" member has none.
/// Numbers are written in the shortest form that reads back to the same float32.
/// </summary>
public static class ModelJson
{
    /// <summary>The value of the "format" member.</summary>
    public const string FormatName = "fastnet-model";

    /// <summary>The version this code writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Reads a model file; throws <see cref="ModelFormatException"/> naming the file and the field.</summary>
    public static Model Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the model file ({e.Message})", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses a model document; <paramref name="source"/> names it in error messages.</summary>
    public static Model Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(
                $"{source} line {e.LineNumber + 1}: not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var reader = new FieldReader(source);
            JsonElement root = document.RootElement;
            reader.Expect(root, JsonValueKind.Object, "the document");
            string format = reader.String(root, "format");
            if (format != FormatName)
            {
                throw reader.Error("format", $"expected \"{FormatName}\", found \"{format}\"");
            }
            int version = reader.Int(root, "version");
            if (version != Version)
            {
                throw reader.Error("version", $"this FastNet reads version {Version}, the file is version {version}");
            }
            int inputs = reader.PositiveInt(root, "inputs");
            JsonElement layers = reader.Member(root, "layers", JsonValueKind.Array);
            if (layers.GetArrayLength() == 0)
            {
                throw reader.Error("layers", "expected at least one layer");
            }

            var specs = new List<LayerSpec>();
            var weights = new List<JsonElement>();
            var biases = new List<JsonElement?>();
            int index = 0;
            foreach (JsonElement layer in layers.EnumerateArray())
            {
                string at = $"layers[{index}]";
                reader.Expect(layer, JsonValueKind.Object, at);
                int units = reader.PositiveInt(layer, "units", at);
                string activationName = reader.String(layer, "activation", at);
                Activation activation;
                try
                {
                    activation = Names.ParseActivation(activationName);
                }
                catch (FormatException e)
                {
                    throw reader.Error($"{at}.activation", e.Message);
                }
                bool hasBias = layer.TryGetProperty("biases", out JsonElement b);
                specs.Add(new LayerSpec(units, activation, hasBias));
                weights.Add(reader.Member(layer, "weights", JsonValueKind.Array, at));
                biases.Add(hasBias ? b : null);
                index++;
            }

            NetworkSpec spec;
            try
            {
                spec = new NetworkSpec(inputs, specs);
            }
            catch (NetworkTooLargeException e)
            {
                throw reader.Error(e.Layer is int l ? $"layers[{l}].units" : "inputs", e.Message);
            }
            var model = new Model(spec, new float[spec.ParameterCount]);
            for (int l = 0; l < specs.Count; l++)
            {
                string at = $"layers[{l}].weights";
                int fanIn = spec.InputsOf(l);
                JsonElement rows = weights[l];
                if (rows.GetArrayLength() != specs[l].Units)
                {
                    throw reader.Error(at, $"expected {specs[l].Units} rows (one per unit), found {rows.GetArrayLength()}");
                }
                int j = 0;
                foreach (JsonElement row in rows.EnumerateArray())
                {
                    float[] values = reader.Numbers(row, fanIn, $"{at}[{j}]", "weights (one per input)");
                    for (int i = 0; i < fanIn; i++)
                    {
                        model.Weight(l, j, i) = values[i];
                    }
                    j++;
                }
                if (biases[l] is JsonElement biasArray)
                {
                    float[] values = reader.Numbers(biasArray, specs[l].Units, $"layers[{l}].biases", "biases (one per unit)");
                    for (int u = 0; u < values.Length; u++)
                    {
                        model.Bias(l, u) = values[u];
                    }
                }
            }
            return model;
        }
    }

    /// <summary>The model as a JSON document.</summary>
    public static string ToJson(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        WriteTo(model, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the model file atomically: a temporary file beside it, flushed to disk, then renamed over the
    /// target, so a crash leaves either the old file or the new one, never half of one.</summary>
    public static void Write(Model model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream => WriteTo(model, stream));
    }

    // The JSON goes straight to the stream, so a large model is never held as text.
    private static void WriteTo(Model model, Stream stream)
    {
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            NetworkSpec spec = model.Spec;
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", Version);
            writer.WriteNumber("inputs", spec.Inputs);
            writer.WriteStartArray("layers");
            for (int l = 0; l < spec.Layers.Count; l++)
            {
                LayerSpec layer = spec.Layers[l];
                writer.WriteStartObject();
                writer.WriteNumber("units", layer.Units);
                writer.WriteString("activation", Names.Of(layer.Activation));
                writer.WriteStartArray("weights");
                for (int j = 0; j < layer.Units; j++)
                {
                    writer.WriteStartArray();
                    for (int i = 0; i < spec.InputsOf(l); i++)
                    {
                        WriteFloat(writer, model.Weight(l, j, i));
                    }
                    writer.WriteEndArray();
                    writer.Flush(); // the writer buffers until flushed: hand it to the stream a row at a time
                }
                writer.WriteEndArray();
                if (layer.HasBias)
                {
                    writer.WriteStartArray("biases");
                    for (int j = 0; j < layer.Units; j++)
                    {
                        WriteFloat(writer, model.Bias(l, j));
                    }
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (!float.IsFinite(value))
        {
            throw new InvalidOperationException($"cannot save a non-finite parameter ({value})");
        }
        Span<byte> text = stackalloc byte[32]; // "R" writes at most 15 characters for a float
        value.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture);
        writer.WriteRawValue(text[..length]);
    }

    /// <summary>Typed member access with errors that name the file and the field.</summary>
    private sealed class FieldReader(string source)
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

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => kind.ToString().ToLowerInvariant(),
        };
    }
}
