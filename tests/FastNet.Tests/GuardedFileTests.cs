using FastNet.Tests.Data;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests;

public sealed class GuardedFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class TestReadException(string message, Exception? inner) : Exception(message, inner);

    private static GuardedStream Open(string path, long limit) =>
        GuardedFile.OpenRead(path, limit, (problem, inner) => new TestReadException($"{path}: {problem}", inner));

    // Peeked bytes are read again, once, whatever the sizes of the peek and the reads, plain or gzip.
    [Theory]
    [InlineData(0, false)]
    [InlineData(3, false)]
    [InlineData(8, true)]
    [InlineData(5000, false)]
    [InlineData(5000, true)]
    public void PeekedBytesAreReadAgain(int peek, bool gzip)
    {
        byte[] content = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];
        string path = _dir.Write("peeked", gzip ? IdxFiles.Gzip(content) : content);
        using GuardedStream stream = Open(path, 4000);

        Assert.Equal(content.Take(peek), stream.Peek(peek).ToArray());
        Assert.Equal(content.Take(2), stream.Peek(2).ToArray());
        Assert.Equal(0, stream.Position);
        byte[] first = new byte[1];
        Assert.Equal(1, stream.Read(first));
        Assert.Equal(1, stream.Position);
        Assert.Equal(content, (byte[])[.. first, .. stream.ReadToEnd()]);
    }

    [Fact]
    public void ADirectoryIsRefusedAsADirectory()
    {
        var e = Assert.Throws<TestReadException>(() => Open(_dir.Path, 100));
        Assert.Equal($"{_dir.Path}: is a directory, not a file", e.Message);
    }

    [Fact]
    public void AMissingFileIsNamedAsMissing()
    {
        string path = _dir.File("absent");
        var e = Assert.Throws<TestReadException>(() => Open(path, 100));
        Assert.Equal($"{path}: file not found", e.Message);
    }

    [Fact]
    public void AFileLargerThanTheLimitIsRefusedBeforeItIsRead()
    {
        string path = _dir.Write("big", new byte[1000]);
        using GuardedStream stream = Open(path, 999);
        var e = Assert.Throws<TestReadException>(() => stream.ReadByte());
        Assert.Equal($"{path}: the file is 1000 bytes, more than the limit of 999", e.Message);
        Assert.Equal(0, stream.Position);
    }

    // Zip archives need random access: a regular file read as it is can be sought in, and the limit still holds
    // wherever the first read happens.
    [Fact]
    public void ARegularFileCanBeSoughtInAndReadsFromThere()
    {
        byte[] bytes = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];
        string path = _dir.Write("plain", bytes);
        using GuardedStream stream = GuardedFile.OpenRead(path, 100,
            (problem, inner) => new TestReadException($"{path}: {problem}", inner), decompress: false);
        Assert.True(stream.CanSeek);
        Assert.Equal(100, stream.Length);
        Assert.Equal(90, stream.Seek(-10, SeekOrigin.End));
        Assert.Equal(bytes[90..], stream.ReadUpTo(50));
        stream.Position = 5;
        Assert.Equal(5, stream.ReadByte());
    }

    [Fact]
    public void AFileLargerThanTheLimitIsRefusedEvenWhenTheFirstReadFollowsASeek()
    {
        string path = _dir.Write("big", new byte[1000]);
        using GuardedStream stream = GuardedFile.OpenRead(path, 999,
            (problem, inner) => new TestReadException($"{path}: {problem}", inner), decompress: false);
        stream.Seek(-1, SeekOrigin.End);
        var e = Assert.Throws<TestReadException>(() => stream.ReadByte());
        Assert.Equal($"{path}: the file is 1000 bytes, more than the limit of 999", e.Message);
    }

    [Fact]
    public void DecompressedContentCannotBeSoughtIn()
    {
        string path = _dir.Write("zeros.gz", Bombs.ZerosBomb);
        using GuardedStream stream = Open(path, 100);
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
    }

    [Fact]
    public void AFileOfExactlyTheLimitIsReadWhole()
    {
        string path = _dir.Write("exact", new byte[1000]);
        using GuardedStream stream = Open(path, 1000);
        Assert.Equal(1000, stream.ReadToEnd().Length);
    }

    [Fact]
    public void AGzipBombStopsOneBufferPastTheLimitNamingTheLimitAndTheCompressedSize()
    {
        string path = _dir.Write("bomb.gz", Bombs.ZerosBomb);
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (GuardedStream stream = Open(path, 1 << 20))
        {
            var e = Assert.Throws<TestReadException>(() => stream.ReadToEnd());
            Assert.Equal($"{path}: the gzip data decompresses to more than the limit of 1048576 bytes (from " +
                $"{Bombs.ZerosBomb.Length} compressed bytes); refused as a possible decompression bomb", e.Message);
            Assert.Equal((1 << 20) + 1, stream.Position);
        }
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8 << 20);
    }

    [Fact]
    public void CorruptGzipDataIsTheCallersErrorNotAnInvalidDataException()
    {
        byte[] gz = SeedFiles.Gzip(Data.IdxFiles.Images(40, 8, 8, i => (byte)(i * 7 % 251)));
        gz[3] = 0xff; // reserved flag bits set in the gzip header
        string path = _dir.Write("corrupt.gz", gz);
        using GuardedStream stream = Open(path, 1 << 20);
        var e = Assert.Throws<TestReadException>(() => stream.ReadToEnd());
        Assert.StartsWith($"{path}: corrupt gzip data: ", e.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }

    [Fact]
    public void ATruncatedGzipFileSaysTruncated()
    {
        byte[] gz = SeedFiles.Gzip(Data.IdxFiles.Images(40, 8, 8, i => (byte)(i * 7 % 251)));
        string path = _dir.Write("cut.gz", gz[..(gz.Length / 2)]);
        using GuardedStream stream = Open(path, 1 << 20);
        var e = Assert.Throws<TestReadException>(() => stream.ReadToEnd());
        Assert.StartsWith($"{path}: truncated gzip data: it ends after ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeclaredSizeTheGzipDataDoesNotBackCostsNoMemory()
    {
        string path = _dir.Write("small.gz", SeedFiles.Gzip(new byte[10]));
        using GuardedStream stream = Open(path, 1L << 40);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(10, stream.ReadUpTo(1 << 30).Length);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
    }

    [Fact]
    public void ADeviceYieldingMoreThanItsReportedSizeIsRefusedAtItsFirstByte()
    {
        if (!DevZero.Exists)
        {
            return;
        }
        string path = DevZero.LinkAt(_dir.File("zero"));
        using GuardedStream stream = Open(path, 1L << 40);
        var e = Assert.Throws<TestReadException>(() => stream.ReadToEnd());
        Assert.StartsWith($"{path}: not a regular file: it yields more than its reported size of 0 bytes", e.Message,
            StringComparison.Ordinal);
    }
}
