using System.Globalization;
using System.Text.Json;
using FastNet.Data;

namespace FastNet.Model;

/// <summary>
/// The metadata members shared by model files and checkpoint headers:
/// <code>
/// "preprocessing": { "kind": "none" }
///                | { "kind": "divide", "divisor": 255 }
///                | { "kind": "standardize", "mean": [m1, ...], "std": [s1, ...] }   (one per input)
/// "classes": ["0", "1", ...]        a classifier's class names, one per output
/// "targets": ["y1", ...]            a regression model's target names, one per output
/// "dropout": [0.5, 0.2]             the hidden layers' drop rates in training, one per hidden layer
/// "data": { "source": "digits", "labels": "y.npy", "targetColumns": 0, "testFraction": 0.2, "validationFraction": 0,
///           "seed": 1, "header": "present", "trainingSha256": "…" }   ("labels" only for NumPy features, "header"
///                                            only where given; the training set's SHA-256 where recorded)
/// </code>
/// Every member is optional: one that is absent is unknown. Numbers are written as their shortest round-trip form,
/// so a standardization reads back to the same float32 bits and is applied exactly as in training.
/// </summary>
internal static class ModelMetadataJson
{
    /// <summary>The members this writes into the object that holds the metadata.</summary>
    public static readonly string[] Members = ["preprocessing", "classes", "targets", "dropout", "data"];

    /// <summary>Writes the known members of <paramref name="metadata"/> into the open object.</summary>
    public static void Write(Utf8JsonWriter writer, ModelMetadata metadata)
    {
        if (metadata.Scaling is InputScaling scaling)
        {
            writer.WriteStartObject("preprocessing");
            writer.WriteString("kind", scaling.Kind);
            switch (scaling)
            {
                case DivideScaling divide:
                    writer.WritePropertyName("divisor");
                    ModelJson.WriteFloat(writer, divide.Divisor);
                    break;
                case StandardizeScaling standardize:
                    WriteFloats(writer, "mean", standardize.Standardizer.Mean);
                    WriteFloats(writer, "std", standardize.Standardizer.Scale);
                    break;
            }
            writer.WriteEndObject();
        }
        WriteStrings(writer, "classes", metadata.ClassNames);
        WriteStrings(writer, "targets", metadata.TargetNames);
        if (metadata.Dropout is { } dropout)
        {
            writer.WriteStartArray("dropout");
            foreach (double rate in dropout)
            {
                writer.WriteNumberValue(rate);
            }
            writer.WriteEndArray();
        }
        if (metadata.Data is TrainingDataSource data)
        {
            writer.WriteStartObject("data");
            writer.WriteString("source", data.Source);
            if (data.Labels is string labels)
            {
                writer.WriteString("labels", labels);
            }
            writer.WriteNumber("targetColumns", data.TargetColumns);
            if (data.TestFraction is double test)
            {
                writer.WriteNumber("testFraction", test);
            }
            writer.WriteNumber("validationFraction", data.ValidationFraction);
            writer.WriteNumber("seed", data.Seed);
            if (data.Header != CsvHeader.Auto)
            {
                writer.WriteString("header", CsvHeaderNames.Of(data.Header));
            }
            if (data.TrainingSha256 is string checksum)
            {
                writer.WriteString("trainingSha256", checksum);
            }
            writer.WriteEndObject();
        }
    }

    /// <summary>Reads the metadata members of <paramref name="root"/> for a network with <paramref name="inputs"/>
    /// inputs, <paramref name="outputs"/> outputs and <paramref name="hiddenLayers"/> hidden layers (the loss is the
    /// caller's).</summary>
    /// <exception cref="ModelFormatException">A member is malformed; the message names the field.</exception>
    public static ModelMetadata Read(JsonElement root, JsonFieldReader reader, int inputs, int outputs, int hiddenLayers)
    {
        InputScaling? scaling = null;
        if (root.TryGetProperty("preprocessing", out JsonElement p))
        {
            reader.Expect(p, JsonValueKind.Object, "preprocessing");
            string kind = reader.String(p, "kind", "preprocessing");
            reader.RequireKnownMembers(p, "preprocessing", kind switch
            {
                "divide" => ["kind", "divisor"],
                "standardize" => ["kind", "mean", "std"],
                _ => ["kind"],
            });
            scaling = kind switch
            {
                "none" => InputScaling.None,
                "divide" => Divide(reader, p),
                "standardize" => Standardize(reader, p, inputs),
                _ => throw reader.Error("preprocessing.kind", $"expected none, divide or standardize, found {QuotedText.Of(kind)}"),
            };
        }
        string[]? classes = root.TryGetProperty("classes", out JsonElement c)
            ? reader.Strings(c, outputs, "classes", "class names (one per output)") : null;
        string[]? targets = root.TryGetProperty("targets", out JsonElement t)
            ? reader.Strings(t, outputs, "targets", "target names (one per output)") : null;
        foreach ((string[]? names, string field, string what) in new[] { (classes, "classes", "a class name"), (targets, "targets", "a target name") })
        {
            for (int i = 0; i < names?.Length; i++)
            {
                if (OutputName.Problem(names[i], what) is string problem)
                {
                    throw reader.Error($"{field}[{i}]", problem);
                }
            }
        }
        if (classes is not null && targets is not null)
        {
            throw reader.Error("targets", "a model has either class names or target names, not both");
        }
        if (classes is not null && classes.Distinct(StringComparer.Ordinal).Count() != classes.Length)
        {
            throw reader.Error("classes", "class names must be distinct");
        }
        double[]? dropout = root.TryGetProperty("dropout", out JsonElement r)
            ? DropoutJson.Read(reader, r, "dropout", hiddenLayers) : null;
        TrainingDataSource? data = null;
        if (root.TryGetProperty("data", out JsonElement d))
        {
            reader.Expect(d, JsonValueKind.Object, "data");
            reader.RequireKnownMembers(d, "data", "source", "labels", "targetColumns", "testFraction", "validationFraction",
                "seed", "header", "trainingSha256");
            double? test = d.TryGetProperty("testFraction", out _) ? Fraction(reader, d, "testFraction") : null;
            ulong seed = reader.Member(d, "seed", JsonValueKind.Number, "data").TryGetUInt64(out ulong s)
                ? s : throw reader.Error("data.seed", "expected a non-negative integer");
            int targetColumns = reader.Int(d, "targetColumns", "data");
            if (targetColumns < 0)
            {
                throw reader.Error("data.targetColumns", $"expected a non-negative integer, found {targetColumns}");
            }
            string? labels = d.TryGetProperty("labels", out _) ? reader.String(d, "labels", "data") : null;
            // absent in files written before it was recorded
            string? checksum = d.TryGetProperty("trainingSha256", out _) ? reader.String(d, "trainingSha256", "data") : null;
            if (checksum is not null && !DatasetChecksum.IsSha256Text(checksum))
            {
                throw reader.Error("data.trainingSha256", $"expected 64 lowercase hexadecimal digits, found {QuotedText.Of(checksum)}");
            }
            // absent where the header was detected (and in files written before it could be given)
            CsvHeader header = d.TryGetProperty("header", out _) ? reader.Parsed(d, "header", CsvHeaderNames.Parse, "data")
                : CsvHeader.Auto;
            data = new TrainingDataSource(reader.String(d, "source", "data"), targetColumns, test,
                Fraction(reader, d, "validationFraction"), seed, labels, checksum, header);
        }
        return new ModelMetadata
        {
            Scaling = scaling,
            ClassNames = classes,
            TargetNames = targets,
            Dropout = dropout,
            Data = data,
        };
    }

    /// <summary><c>{"data": {...}}</c> for <paramref name="data"/>, as a model file writes it.</summary>
    public static string DataObject(TrainingDataSource data)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            Write(writer, new ModelMetadata { Data = data });
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads what <see cref="DataObject"/> wrote; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ModelFormatException">Not JSON, or a malformed member.</exception>
    public static TrainingDataSource? ReadDataObject(string json, string source)
    {
        var reader = new JsonFieldReader(source);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            reader.Expect(document.RootElement, JsonValueKind.Object, "the metadata");
            reader.RequireDistinctMembers(document.RootElement);
            reader.RequireKnownMembers(document.RootElement, null, "data");
            return Read(document.RootElement, reader, 1, 1, 0).Data;
        }
        catch (JsonException e)
        {
            throw reader.Error("data", $"not valid JSON ({JsonSyntaxError.Describe(e)})");
        }
    }

    private static DivideScaling Divide(JsonFieldReader reader, JsonElement p)
    {
        float divisor = reader.Float(p, "divisor", "preprocessing");
        return InputScaling.IsDivisor(divisor) ? new DivideScaling(divisor)
            : throw reader.Error("preprocessing.divisor", $"expected a positive number, {InputScaling.DivisorExpected}, found "
                + divisor.ToString("R", CultureInfo.InvariantCulture));
    }

    private static StandardizeScaling Standardize(JsonFieldReader reader, JsonElement p, int inputs)
    {
        float[] mean = reader.Numbers(reader.Member(p, "mean", JsonValueKind.Array, "preprocessing"), inputs,
            "preprocessing.mean", "means (one per input)");
        float[] std = reader.Numbers(reader.Member(p, "std", JsonValueKind.Array, "preprocessing"), inputs,
            "preprocessing.std", "deviations (one per input)");
        int bad = Array.FindIndex(std, s => !InputScaling.IsDivisor(s));
        return bad < 0 ? new StandardizeScaling(new Standardizer(mean, std))
            : throw reader.Error($"preprocessing.std[{bad}]", $"expected a positive number, {InputScaling.DivisorExpected}, "
                + $"found {std[bad].ToString("R", CultureInfo.InvariantCulture)}");
    }

    private static double Fraction(JsonFieldReader reader, JsonElement d, string name)
    {
        double value = reader.Double(d, name, "data");
        return value is >= 0 and < 1 ? value : throw reader.Error($"data.{name}", $"expected a value in [0, 1), found {value}");
    }

    private static void WriteFloats(Utf8JsonWriter writer, string name, IReadOnlyList<float> values)
    {
        writer.WriteStartArray(name);
        foreach (float value in values)
        {
            ModelJson.WriteFloat(writer, value);
        }
        writer.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }
}
