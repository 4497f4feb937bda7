using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
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
/// best count, values         only where the header's earlyStopping has a best epoch: uint32, then float32 × count
///                            (the parameters of that epoch)
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
        if (checkpoint.EarlyStopping?.BestParameters is float[] best)
        {
            WriteFloats(body, best);
        }
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
        return Read(stream, path);
    }

    /// <summary>Reads a checkpoint from the rest of <paramref name="content"/>, a file opened by
    /// <see cref="GuardedFile"/> (e.g. after a <see cref="GuardedStream.Peek"/> at its first bytes);
    /// <paramref name="source"/> names it in errors.</summary>
    public static Checkpoint Read(GuardedStream content, string source)
    {
        ArgumentNullException.ThrowIfNull(content);
        byte[] magic = content.ReadUpTo(Magic.Length);
        RequireMagic(magic, source);
        return Deserialize([.. magic, .. content.ReadToEnd()], source);
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
        float[]? best = reader.AtEnd ? null : reader.Floats("early stopping's best parameters");
        reader.ExpectEnd();
        Checkpoint checkpoint;
        try
        {
            checkpoint = CheckpointHeader.Read(header, parameters, state, best, source);
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
            if (c.EarlyStopping is EarlyStoppingState stopping)
            {
                w.WriteStartObject("earlyStopping");
                w.WriteNumber("patience", stopping.Patience);
                w.WriteNumber("bestEpoch", stopping.BestEpoch);
                if (stopping.BestEpoch > 0)
                {
                    w.WriteNumber("bestLoss", stopping.BestLoss);
                }
                w.WriteEndObject();
            }
            if (c.DivergenceReference is double reference)
            {
                w.WriteStartObject("divergence");
                w.WriteNumber("referenceLoss", reference);
                w.WriteNumber("checksAbove", c.DivergenceChecksAbove);
                w.WriteEndObject();
            }
            w.WriteString("mathMode", c.MathMode);
            w.WriteString("backend", c.Backend);
            w.WriteEndObject();
        }
        return stream.ToArray();
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

        public readonly bool AtEnd => _position == _data.Length;

        public readonly void ExpectEnd()
        {
            if (_position != _data.Length)
            {
                throw new CheckpointFormatException($"{source}: {_data.Length - _position} unexpected bytes after the stored arrays");
            }
        }
    }
}
