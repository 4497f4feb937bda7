using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FastNet.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Fuzzing;

public sealed class CheckpointFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MutatedCheckpointsLoadOrFailWithAnErrorNamingTheFile()
    {
        const int Attempts = 400;
        var mutator = new Mutator(seed: 505);
        byte[] seed = SeedFiles.CheckpointBytes(_dir.Path);
        var fuzz = new LoaderFuzz<CheckpointFormatException>(_dir.File("fuzzed.ckpt"), path => CheckpointFile.Read(path));
        for (int i = 0; i < Attempts; i++)
        {
            (byte[] bytes, string what) = mutator.Binary(seed);
            // Most mutations fail the checksum; re-signing half of them takes the fuzzing past it, into the header,
            // the counts and the values.
            if (i % 2 == 1 && bytes.Length >= SHA256.HashSizeInBytes)
            {
                Resign(bytes);
                what += "re-signed";
            }
            fuzz.Attempt(bytes, $"mutation {i}: {what}");
        }
        fuzz.AssertExercised(Attempts);
    }

    [Fact]
    public void CheckpointsWithMutatedHeaderFieldsLoadOrFailWithAnErrorNamingTheFile()
    {
        const int Attempts = 400;
        var mutator = new Mutator(seed: 707);
        byte[] seed = SeedFiles.CheckpointBytes(_dir.Path);
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(seed.AsSpan(12));
        string header = Encoding.UTF8.GetString(seed, 16, headerLength);
        var fuzz = new LoaderFuzz<CheckpointFormatException>(_dir.File("header.ckpt"), path => CheckpointFile.Read(path));
        for (int i = 0; i < Attempts; i++)
        {
            // The header's numbers (sizes, settings, position) and text, mutated, in a file whose lengths and checksum
            // are right: every mutation reaches the header's parser.
            (byte[] mutated, string what) = mutator.Text(header);
            byte[] bytes = [.. seed.AsSpan(0, 12), .. new byte[4], .. mutated, .. seed.AsSpan(16 + headerLength)];
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), mutated.Length);
            Resign(bytes);
            fuzz.Attempt(bytes, $"header mutation {i}: {what}");
        }
        fuzz.AssertExercised(Attempts);
    }

    [Fact]
    public void NonFiniteValuesUnderAValidChecksumAreRefusedWhereverTheyAre()
    {
        var mutator = new Mutator(seed: 606);
        byte[] seed = SeedFiles.CheckpointBytes(_dir.Path);
        int floatsStart = 16 + BinaryPrimitives.ReadInt32LittleEndian(seed.AsSpan(12)) + 4;
        int floatsEnd = seed.Length - SHA256.HashSizeInBytes;
        float[] nonFinite = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var fuzz = new LoaderFuzz<CheckpointFormatException>(_dir.File("nonfinite.ckpt"), path => CheckpointFile.Read(path));
        for (int i = 0; i < 100; i++)
        {
            byte[] bytes = (byte[])seed.Clone();
            int at = floatsStart + 4 * mutator.Next((floatsEnd - floatsStart) / 4);
            // The state count sits between the parameters and the state; a value written over it is a count error.
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), nonFinite[i % 3]);
            Resign(bytes);
            fuzz.Attempt(bytes, $"{nonFinite[i % 3]} at {at}");
        }
        fuzz.AssertExercised(100, someLoad: false);
    }

    [Fact]
    public void DevZeroAsACheckpointFailsAtOnceNamingTheFile()
    {
        if (!DevZero.Exists)
        {
            return;
        }
        string path = DevZero.LinkAt(_dir.File("zero.ckpt"));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Read(path));
        Assert.StartsWith($"{path}: not a regular file", e.Message, StringComparison.Ordinal);
    }

    private static void Resign(byte[] bytes)
    {
        int body = bytes.Length - SHA256.HashSizeInBytes;
        SHA256.HashData(bytes.AsSpan(0, body)).CopyTo(bytes.AsSpan(body));
    }
}
