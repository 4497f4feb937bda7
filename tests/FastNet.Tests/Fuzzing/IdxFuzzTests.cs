using System.Buffers.Binary;
using FastNet.Data;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Fuzzing;

public sealed class IdxFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MutatedImagesAndLabelsFilesLoadOrFailWithAnErrorNamingTheFile()
    {
        const int Attempts = 300;
        var mutator = new Mutator(seed: 202);
        string labels = _dir.Write("labels", SeedFiles.IdxLabels());
        var images = new LoaderFuzz<DataFormatException>(_dir.File("fuzzed-images"), path => IdxReader.Load(path, labels));
        var labelFiles = new LoaderFuzz<DataFormatException>(_dir.File("fuzzed-labels"), path => IdxReader.ReadLabels(path));
        for (int i = 0; i < Attempts; i++)
        {
            (byte[] bytes, string what) = mutator.Binary(SeedFiles.IdxImages());
            images.Attempt(bytes, $"images mutation {i}: {what}");
            (bytes, what) = mutator.Binary(SeedFiles.IdxLabels());
            labelFiles.Attempt(bytes, $"labels mutation {i}: {what}");
        }
        images.AssertExercised(Attempts);
        labelFiles.AssertExercised(Attempts);
    }

    [Fact]
    public void ABombAfterTheDeclaredImagesStopsAtTheFirstExtraByte()
    {
        string path = _dir.Write("bomb.gz", Bombs.IdxWithZerosBomb);
        new LoaderFuzz<DataFormatException>(path, p => IdxReader.ReadImages(p)).Attempt(Bombs.IdxWithZerosBomb, "bomb");
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: trailing bytes: expected 56 bytes (10 images of 2×2), found more", e.Message);
    }

    [Fact]
    public void ADeclaredSizeOverTheLimitIsRefusedBeforeAnythingIsRead()
    {
        byte[] header = SeedFiles.IdxImages()[..16];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 60_000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 2_000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 2_000);
        string path = _dir.Write("huge", header);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: the header declares 60000 images of 2000×2000, 240000000000 bytes, more than the limit of " +
            $"{IdxReader.MaxBodyBytes}", e.Message);
    }

    [Fact]
    public void AGzipFileDeclaringMoreThanItHoldsCostsNoMemoryForTheDifference()
    {
        // 1000 images of 1000×1000 declared (just under the limit), 12 pixels present.
        byte[] idx = SeedFiles.IdxImages()[..28];
        BinaryPrimitives.WriteInt32BigEndian(idx.AsSpan(4), 1_000);
        BinaryPrimitives.WriteInt32BigEndian(idx.AsSpan(8), 1_000);
        BinaryPrimitives.WriteInt32BigEndian(idx.AsSpan(12), 1_000);
        byte[] gz = SeedFiles.Gzip(idx);
        string path = _dir.Write("claims.gz", gz);
        new LoaderFuzz<DataFormatException>(path, p => IdxReader.ReadImages(p)).Attempt(gz, "false declared size");
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: truncated: expected 1000000016 bytes (1000 images of 1000×1000), found 28", e.Message);
    }

    [Fact]
    public void DevZeroAsIdxFailsAtOnceNamingTheFile()
    {
        if (!DevZero.Exists)
        {
            return;
        }
        string path = DevZero.LinkAt(_dir.File("zero-idx"));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith($"{path}: not a regular file", e.Message, StringComparison.Ordinal);
    }
}
