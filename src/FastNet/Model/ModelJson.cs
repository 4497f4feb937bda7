using System.Globalization;
using System.Text;
using System.Text.Json;
using FastNet.Kernels;

namespace FastNet.Model;

/// <summary>
/// The model file: a JSON document holding the architecture, the parameters and what is needed to use the model
/// without the training command line.
/// <code>
/// {
///   "format": "fastnet-model", "version": 2,
///   "inputs": 2,
///   "loss": "half-squared-error",
///   "preprocessing": { "kind": "divide", "divisor": 16 },  "classes": [...] or "targets": [...],  "data": {...},
///   "layers": [
///     { "units": 2, "activation": "sigmoid", "weights": [[w11, w12], [w21, w22]], "biases": [b1, b2] },
///     { "units": 1, "activation": "sigmoid", "weights": [[w31, w32]] }
///   ]
/// }
/// </code>
/// <c>weights[j][i]</c> is the weight from input i to unit j (the seeds' w_ji), so each row lists one unit's
/// incoming weights. <c>biases[j]</c> is unit j's bias; a layer without a "biases" member has none.
/// Numbers are written in the shortest form that reads back to the same float32. "loss" and the members described on
/// <see cref="ModelMetadataJson"/> are optional (absent means unknown); version 1 files, which have none of them,
/// still load.
/// </summary>
public static class ModelJson
{
    /// <summary>The value of the "format" member.</summary>
    public const string FormatName = "fastnet-model";

    /// <summary>The version this code writes; it reads this one and <see cref="FirstVersion"/>.</summary>
    public const int Version = 2;

    // the members of the document besides the metadata's
    private static readonly string[] RootMembers = ["format", "version", "inputs", "loss", "layers"];

    // a version 1 document's members: it has no metadata, so a member that would say how to use the model (its
    // preprocessing, say) is refused rather than dropped, which would score the model without it
    private static readonly string[] FirstVersionMembers = ["format", "version", "inputs", "layers"];

    /// <summary>The first version, without metadata.</summary>
    public const int FirstVersion = 1;

    /// <summary>The largest model file read: 512 MiB, tens of millions of parameters as indented JSON, and a string of
    /// at most 1 GiB once read.</summary>
    public const long MaxBytes = 1L << 29;

    /// <summary>Reads a model file; throws <see cref="ModelFormatException"/> naming the file and the field, or the
    /// problem with the file itself (missing, a directory, binary, larger than <see cref="MaxBytes"/>).</summary>
    public static Model Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using GuardedStream stream = GuardedFile.OpenRead(path, MaxBytes,
            (problem, inner) => new ModelFormatException($"{path}: {problem}", inner), decompress: false);
        return Read(stream, path);
    }

    /// <summary>Reads a model file from the rest of <paramref name="content"/>, a file opened by
    /// <see cref="GuardedFile"/> (e.g. after a <see cref="GuardedStream.Peek"/> at its first bytes), at most
    /// <see cref="MaxBytes"/> of it whatever the stream's own limit; <paramref name="source"/> names it in errors.</summary>
    public static Model Read(GuardedStream content, string source)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.ContentLength > MaxBytes) // refused before reading, as a stream opened with this limit does
        {
            throw new ModelFormatException($"{source}: the file is {content.ContentLength} bytes, more than the limit of {MaxBytes}");
        }
        return Parse(ReadText(content, source), source);
    }

    private static string ReadText(GuardedStream stream, string path)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var text = new StringBuilder(stream.ContentLength <= MaxBytes ? (int)stream.ContentLength : 0);
        char[] chunk = new char[1 << 16];
        int read;
        while ((read = reader.Read(chunk)) > 0)
        {
            // JSON text never holds a NUL: stop at the first one rather than read a binary file to its end.
            if (chunk.AsSpan(0, read).Contains('\0'))
            {
                throw new ModelFormatException($"{path}: not a FastNet model file: it holds binary data, not JSON text");
            }
            // Each character took at least one byte: past the limit in characters is past it in bytes.
            if (text.Length + read > MaxBytes)
            {
                throw new ModelFormatException($"{path}: the file holds more than the limit of {MaxBytes} bytes");
            }
            text.Append(chunk, 0, read);
        }
        return text.ToString();
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
                $"{source}{JsonSyntaxError.Location(e)}: not valid JSON: {JsonSyntaxError.Reason(e)}", e);
        }
        using (document)
        {
            var reader = new JsonFieldReader(source);
            JsonElement root = document.RootElement;
            reader.Expect(root, JsonValueKind.Object, "the document");
            reader.RequireDistinctMembers(root);
            string format = reader.String(root, "format");
            if (format != FormatName)
            {
                throw reader.Error("format", $"expected \"{FormatName}\", found {QuotedText.Of(format)}");
            }
            int version = reader.Int(root, "version");
            if (version is not (FirstVersion or Version))
            {
                throw reader.Error("version",
                    $"this FastNet reads versions {FirstVersion} and {Version}, the file is version {version}");
            }
            reader.RequireKnownMembers(root, null,
                version == FirstVersion ? FirstVersionMembers : [.. RootMembers, .. ModelMetadataJson.Members]);
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
                reader.RequireKnownMembers(layer, at, "units", "activation", "weights", "biases");
                int units = reader.PositiveInt(layer, "units", at);
                Activation activation = reader.Parsed(layer, "activation", Names.ParseActivation, at);
                bool hasBias = layer.TryGetProperty("biases", out JsonElement b);
                specs.Add(new LayerSpec(units, activation, hasBias));
                weights.Add(reader.Member(layer, "weights", JsonValueKind.Array, at));
                biases.Add(hasBias ? b : null);
                index++;
            }

            NetworkSpec spec = DeclaredSpec(inputs, specs, json.Length, reader);
            ModelMetadata metadata = version == FirstVersion ? ModelMetadata.None
                : ModelMetadataJson.Read(root, reader, inputs, spec.Outputs, spec.Layers.Count - 1) with { Loss = Loss(root, reader) };
            if (metadata.Loss is LossKind loss && spec.LossMismatch(loss) is string mismatch)
            {
                throw reader.Error($"layers[{spec.Layers.Count - 1}].activation", mismatch);
            }
            var model = new Model(spec, new float[spec.ParameterCount]) { Metadata = metadata };
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

    // The layers declare the parameter count; each parameter takes at least two characters (a digit and a comma), so
    // a count the text cannot hold is refused before the parameters are allocated.
    private static NetworkSpec DeclaredSpec(int inputs, List<LayerSpec> layers, int textLength, JsonFieldReader reader)
    {
        NetworkSpec spec; // sizes only: the parameters are allocated after the checks below
        try
        {
            spec = new NetworkSpec(inputs, layers);
        }
        catch (NetworkTooLargeException e)
        {
            throw reader.Error(e.Layer is int l ? $"layers[{l}].units" : "inputs", e.Message);
        }
        long parameters = 0;
        for (int l = 0; l < layers.Count; l++)
        {
            int units = layers[l].Units;
            parameters += (long)(l == 0 ? inputs : layers[l - 1].Units) * units + (layers[l].HasBias ? units : 0);
            if (parameters > textLength / 2) // checked per layer, so the sum cannot overflow
            {
                throw reader.Error("layers", $"the layers declare more parameters than a file of {textLength} " +
                    "characters can hold");
            }
        }
        return spec;
    }

    /// <summary>The model as a JSON document.</summary>
    public static string ToJson(Model model) => Encoding.UTF8.GetString(ToUtf8Json(model));

    /// <summary>The model file's bytes: the JSON document as UTF-8.</summary>
    public static byte[] ToUtf8Json(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        WriteTo(model, stream);
        return stream.ToArray();
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
            if (model.Metadata.Loss is LossKind loss)
            {
                writer.WriteString("loss", Names.Of(loss));
            }
            ModelMetadataJson.Write(writer, model.Metadata);
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

    private static LossKind? Loss(JsonElement root, JsonFieldReader reader)
    {
        return JsonFieldReader.Has(root, "loss") ? reader.Parsed(root, "loss", Names.ParseLoss) : null;
    }

    internal static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (!float.IsFinite(value))
        {
            throw new InvalidOperationException($"cannot save a non-finite parameter ({value})");
        }
        Span<byte> text = stackalloc byte[32]; // "R" writes at most 15 characters for a float
        value.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture);
        writer.WriteRawValue(text[..length]);
    }
}
