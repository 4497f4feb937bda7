using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Checkpoints;

/// <summary>
/// The checkpoint file, little-endian:
/// <code>
/// "FNETCKPT"                 8 bytes, magic
/// version                    uint32 (1)
/// header length, header      uint32, then UTF-8 JSON: architecture, loss, the model's metadata (preprocessing,
///                            class or target names, training data and its SHA-256), optimizer settings and
///                            scalars, training options, position and shuffle state, math mode, backend
/// parameter count, values    uint32, then float32 × count (the flat layout of NetworkSpec)
/// state count, values        uint32, then float32 × count (optimizer state, slot-major)
/// SHA-256                    32 bytes over everything before it
/// </code>
/// Written atomically (temporary file, flushed to disk, renamed); a truncated or altered file fails the checksum
/// or the length checks and is rejected with a message naming the file.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The version written and read.</summary>
    public const uint Version = 1;

    /// <summary>The eight bytes a checkpoint starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "FNETCKPT"u8;
    private const int HashLength = 32;

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(Checkpoint checkpoint, string path)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        byte[] bytes = Serialize(checkpoint);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The file's bytes.</summary>
    public static byte[] Serialize(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        byte[] header = Header(checkpoint);
        using var body = new MemoryStream();
        body.Write(Magic);
        WriteUInt32(body, Version);
        WriteUInt32(body, (uint)header.Length);
        body.Write(header);
        WriteFloats(body, checkpoint.Model.Parameters);
        WriteFloats(body, checkpoint.OptimizerState);
        body.Write(SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length)));
        return body.ToArray();
    }

    /// <summary>The largest checkpoint read: what one .NET array holds (just under 2 GiB), some 170 million
    /// parameters with Adam's two state slots.</summary>
    public static readonly long MaxBytes = Array.MaxLength;

    /// <summary>Reads a checkpoint; throws <see cref="CheckpointFormatException"/> naming the file and the problem.
    /// The magic is read first, so another kind of file is refused after eight bytes.</summary>
    public static Checkpoint Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using GuardedStream stream = GuardedFile.OpenRead(path, MaxBytes,
            (problem, inner) => new CheckpointFormatException($"{path}: {problem}", inner), decompress: false);
        byte[] magic = stream.ReadUpTo(Magic.Length);
        RequireMagic(magic, path);
        return Deserialize([.. magic, .. stream.ReadToEnd()], path);
    }

    /// <summary>Parses checkpoint bytes; <paramref name="source"/> names them in errors.</summary>
    public static Checkpoint Deserialize(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        int minimum = Magic.Length + 8 + 8 + HashLength;
        RequireMagic(bytes, source);
        if (bytes.Length < minimum)
        {
            throw new CheckpointFormatException($"{source}: truncated: {bytes.Length} bytes, a checkpoint has at least {minimum}");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Magic.Length));
        if (version != Version)
        {
            throw new CheckpointFormatException($"{source}: checkpoint format version {version}; this FastNet reads version {Version}");
        }
        ReadOnlySpan<byte> stored = bytes.AsSpan(bytes.Length - HashLength);
        if (!SHA256.HashData(bytes.AsSpan(0, bytes.Length - HashLength)).AsSpan().SequenceEqual(stored))
        {
            throw new CheckpointFormatException(
                $"{source}: checksum mismatch: the file is truncated or was altered after it was written");
        }

        var reader = new SpanReader(bytes.AsSpan(0, bytes.Length - HashLength), source);
        reader.Skip(Magic.Length + 4);
        int headerLength = reader.Count("header length");
        ReadOnlySpan<byte> header = reader.Take(headerLength, "header");
        float[] parameters = reader.Floats("parameters");
        float[] state = reader.Floats("optimizer state");
        reader.ExpectEnd();
        Checkpoint checkpoint;
        try
        {
            checkpoint = FromHeader(header, parameters, state, source);
        }
        catch (OverflowException e)
        {
            throw new CheckpointFormatException($"{source}: the header declares a network too large to hold ({e.Message})", e);
        }
        CheckpointValues.RequireFinite(checkpoint, source);
        return checkpoint;
    }

    private static void RequireMagic(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new CheckpointFormatException($"{source}: not a FastNet checkpoint (the file does not start with \"FNETCKPT\")");
        }
    }

    private static byte[] Header(Checkpoint c)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("inputs", c.Model.Spec.Inputs);
            w.WriteStartArray("layers");
            foreach (LayerSpec layer in c.Model.Spec.Layers)
            {
                w.WriteStartObject();
                w.WriteNumber("units", layer.Units);
                w.WriteString("activation", Names.Of(layer.Activation));
                w.WriteBoolean("bias", layer.HasBias);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("loss", Names.Of(c.Loss));
            ModelMetadataJson.Write(w, c.Model.Metadata);
            if (c.TrainingDataSha256 is string checksum)
            {
                w.WriteString("trainingDataSha256", checksum);
            }
            OptimizerSettings o = c.Optimizer.WithDefaults();
            w.WriteStartObject("optimizer");
            w.WriteString("kind", Names.Of(o.Kind));
            w.WriteNumber("lr", o.LearningRate!.Value);
            w.WriteNumber("momentum", o.Momentum!.Value);
            w.WriteNumber("beta1", o.Beta1!.Value);
            w.WriteNumber("beta2", o.Beta2!.Value);
            w.WriteNumber("eps", o.Epsilon!.Value);
            w.WriteNumber("weightDecay", o.WeightDecay);
            w.WriteNumber("trustCoefficient", o.TrustCoefficient!.Value);
            w.WriteNumber("steps", c.OptimizerSteps);
            w.WriteNumber("nadamMuProduct", c.NadamMuProduct);
            w.WriteEndObject();
            w.WriteBoolean("trainBiases", c.TrainBiases);
            TrainingOptions t = c.Training;
            w.WriteStartObject("training");
            w.WriteNumber("epochs", t.Epochs);
            w.WriteNumber("batch", t.BatchSize);
            w.WriteBoolean("shuffle", t.Shuffle);
            w.WriteNumber("seed", t.Seed);
            w.WriteString("schedule", t.Schedule.ToString());
            w.WriteNumber("warmup", t.Schedule.WarmupSteps);
            w.WriteNumber("accumulate", t.Accumulate);
            w.WriteString("lrScaling", t.LearningRateScaling);
            if (t.Dropout is { } rates)
            {
                w.WriteStartArray("dropout");
                foreach (double rate in rates)
                {
                    w.WriteNumberValue(rate);
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            TrainingPosition p = c.Position;
            w.WriteStartObject("position");
            w.WriteNumber("epoch", p.Epoch);
            w.WriteNumber("batch", p.Batch);
            w.WriteStartArray("shuffleState");
            w.WriteNumberValue(p.ShuffleState.Item1);
            w.WriteNumberValue(p.ShuffleState.Item2);
            w.WriteNumberValue(p.ShuffleState.Item3);
            w.WriteNumberValue(p.ShuffleState.Item4);
            w.WriteEndArray();
            w.WriteNumber("lossSum", p.LossSum);
            w.WriteNumber("correct", p.Correct);
            w.WriteEndObject();
            w.WriteString("mathMode", c.MathMode);
            w.WriteString("backend", c.Backend);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static Checkpoint FromHeader(ReadOnlySpan<byte> header, float[] parameters, float[] state, string source)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(header.ToArray());
            JsonElement root = document.RootElement;
            var layers = root.GetProperty("layers").EnumerateArray()
                .Select(l => new LayerSpec(l.GetProperty("units").GetInt32(),
                    Names.ParseActivation(l.GetProperty("activation").GetString()!), l.GetProperty("bias").GetBoolean()))
                .ToList();
            var spec = new NetworkSpec(root.GetProperty("inputs").GetInt32(), layers);
            if (parameters.Length != spec.ParameterCount)
            {
                throw new CheckpointFormatException(
                    $"{source}: {parameters.Length} parameters stored, the network {spec} has {spec.ParameterCount}");
            }
            string mathMode = root.GetProperty("mathMode").GetString()!;
            if (mathMode != Checkpoint.ExactMathMode)
            {
                throw new CheckpointFormatException($"{source}: math mode '{mathMode}' is not known to this FastNet");
            }
            JsonElement o = root.GetProperty("optimizer");
            var optimizer = new OptimizerSettings
            {
                Kind = Names.ParseOptimizer(o.GetProperty("kind").GetString()!),
                LearningRate = o.GetProperty("lr").GetDouble(),
                Momentum = o.GetProperty("momentum").GetDouble(),
                Beta1 = o.GetProperty("beta1").GetDouble(),
                Beta2 = o.GetProperty("beta2").GetDouble(),
                Epsilon = o.GetProperty("eps").GetDouble(),
                WeightDecay = o.GetProperty("weightDecay").GetDouble(),
                // absent in files written before LARS
                TrustCoefficient = o.TryGetProperty("trustCoefficient", out JsonElement trust) ? trust.GetDouble() : null,
            }.WithDefaults();
            bool trainBiases = root.GetProperty("trainBiases").GetBoolean();
            int trainable = trainBiases ? spec.ParameterCount : spec.WeightCount;
            int slots = Kernels.OptimizerStep.StateSlots(optimizer.Kind);
            if (state.Length != slots * trainable)
            {
                throw new CheckpointFormatException(
                    $"{source}: {state.Length} optimizer state values stored, {Names.Of(optimizer.Kind)} needs {slots * trainable}");
            }
            JsonElement t = root.GetProperty("training");
            var training = new TrainingOptions(t.GetProperty("epochs").GetInt32(), t.GetProperty("batch").GetInt32(),
                t.GetProperty("shuffle").GetBoolean(), t.GetProperty("seed").GetUInt64())
            {
                Schedule = LearningRateSchedule.Parse(t.GetProperty("schedule").GetString()!, t.GetProperty("warmup").GetInt32()),
                // absent in files written before gradient accumulation and learning-rate scaling
                Accumulate = t.TryGetProperty("accumulate", out JsonElement k) ? k.GetInt32() : 1,
                LinearScalingBase = t.TryGetProperty("lrScaling", out JsonElement scaling)
                    ? TrainingOptions.ParseLearningRateScaling(scaling.GetString()!)
                    : null,
                // absent in files written before dropout
                Dropout = t.TryGetProperty("dropout", out JsonElement dropout)
                    ? [.. dropout.EnumerateArray().Select(e => e.GetDouble())]
                    : null,
            };
            // A valid checksum only says the file is as written: settings no run can have (batch 0) are refused here,
            // not where training starts and blames the command line.
            training.Validate();
            if (training.Dropout is { } rates && (rates.Count != spec.Layers.Count - 1 || !rates.All(r => r is >= 0 and < 1)))
            {
                throw new CheckpointFormatException(
                    $"{source}: training.dropout must hold one rate 0 ≤ p < 1 per hidden layer ({spec.Layers.Count - 1})");
            }
            JsonElement p = root.GetProperty("position");
            ulong[] s = [.. p.GetProperty("shuffleState").EnumerateArray().Select(e => e.GetUInt64())];
            if (s.Length != 4)
            {
                throw new CheckpointFormatException($"{source}: position.shuffleState must hold 4 numbers");
            }
            var position = new TrainingPosition(p.GetProperty("epoch").GetInt32(), p.GetProperty("batch").GetInt32(),
                (s[0], s[1], s[2], s[3]), p.GetProperty("lossSum").GetSingle(), p.GetProperty("correct").GetSingle());
            if (position.Epoch < 0 || position.Batch < 0)
            {
                throw new CheckpointFormatException(
                    $"{source}: position epoch {position.Epoch}, batch {position.Batch}: expected non-negative numbers");
            }
            string? sha256 = root.TryGetProperty("trainingDataSha256", out JsonElement sha) ? sha.GetString() : null;
            if (sha256 is not null && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower)))
            {
                throw new CheckpointFormatException(
                    $"{source}: trainingDataSha256 is \"{sha256}\": expected 64 lowercase hexadecimal digits");
            }
            LossKind loss = Names.ParseLoss(root.GetProperty("loss").GetString()!);
            if (spec.LossMismatch(loss) is string mismatch)
            {
                throw new CheckpointFormatException($"{source}: {mismatch}");
            }
            ModelMetadata recorded = ModelMetadataJson.Read(root, new JsonFieldReader(source), spec.Inputs, spec.Outputs);
            ModelMetadata metadata = recorded with { Loss = loss };
            return new Checkpoint
            {
                Model = new Model.Model(spec, parameters) { Metadata = metadata },
                Loss = loss,
                TrainingDataSha256 = sha256,
                Optimizer = optimizer,
                OptimizerSteps = o.GetProperty("steps").GetInt64(),
                NadamMuProduct = o.GetProperty("nadamMuProduct").GetDouble(),
                OptimizerState = state,
                TrainBiases = trainBiases,
                Training = training,
                Position = position,
                MathMode = mathMode,
                Backend = root.GetProperty("backend").GetString()!,
            };
        }
        catch (ModelFormatException e)
        {
            throw new CheckpointFormatException($"{source}: the header is not a valid checkpoint header ({e.Message})", e);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException
            or FormatException or ArgumentException)
        {
            throw new CheckpointFormatException($"{source}: the header is not a valid checkpoint header ({e.Message})", e);
        }
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        stream.Write(buffer);
    }

    private static void WriteFloats(Stream stream, float[] values)
    {
        WriteUInt32(stream, (uint)values.Length);
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        Span<byte> buffer = stackalloc byte[4];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            stream.Write(buffer);
        }
    }

    /// <summary>Sequential reads with length checks that name what was being read.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> data, string source)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public void Skip(int count) => _position += count;

        public ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count < 0 || _position + (long)count > _data.Length)
            {
                throw new CheckpointFormatException(
                    $"{source}: {what} needs {count} bytes at offset {_position}, only {_data.Length - _position} remain");
            }
            ReadOnlySpan<byte> slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }

        public int Count(string what)
        {
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
            return value <= int.MaxValue / 4 ? (int)value
                : throw new CheckpointFormatException($"{source}: {what} {value} is too large");
        }

        public float[] Floats(string what)
        {
            int count = Count($"{what} count");
            ReadOnlySpan<byte> raw = Take(count * 4, what);
            float[] values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4, 4));
            }
            return values;
        }

        public readonly void ExpectEnd()
        {
            if (_position != _data.Length)
            {
                throw new CheckpointFormatException($"{source}: {_data.Length - _position} unexpected bytes after the optimizer state");
            }
        }
    }
}
