using System.Diagnostics;
using System.Text;
using FastNet.Data;
using FastNet.Tests.Data;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests;

/// <summary>
/// A gzip file given through a pipe (<c>--data &lt;(gzip -c train.csv)</c>, or gzip on standard input) reads as the
/// same file on disk: decompressed, told by its first bytes whatever its name, bounded by the same limit, and refused
/// with the same message when it is cut, corrupt or a bomb. The pipe is a named one (mkfifo), written by a task.
/// </summary>
public sealed class PipedGzipTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private int _pipes;

    public void Dispose() => _dir.Dispose();

    private sealed class TestReadException(string message, Exception? inner) : Exception(message, inner);

    private static GuardedStream Open(string path, long limit) =>
        GuardedFile.OpenRead(path, limit, (problem, inner) => new TestReadException($"{path}: {problem}", inner));

    // Reads a named pipe that a task writes with bytes; the writer stops where the reader closes the pipe (its write
    // then fails, the reader being gone), as gzip -c does.
    private async Task<T> ThroughAPipe<T>(byte[] bytes, Func<string, T> read)
    {
        string pipe = _dir.File($"pipe{++_pipes}");
        using (Process mkfifo = Process.Start("mkfifo", [pipe]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        Task writer = Task.Run(() =>
        {
            try
            {
                using var stream = new FileStream(pipe, FileMode.Open, FileAccess.Write);
                stream.Write(bytes);
            }
            catch (IOException)
            {
            }
        });
        try
        {
            return read(pipe);
        }
        finally
        {
            // a reader that never opened the pipe leaves the writer waiting in open(): fail, do not hang the suite
            await writer.WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    private static byte[] CsvText => Encoding.UTF8.GetBytes(SeedFiles.Csv());

    [Fact]
    public async Task AGzipCsvThroughAPipeLoadsAsTheFileOnDisk()
    {
        Dataset onDisk = CsvLoader.Load(_dir.Write("train.csv.gz", SeedFiles.Gzip(CsvText)));

        Dataset piped = await ThroughAPipe(SeedFiles.Gzip(CsvText), path => CsvLoader.Load(path));

        Assert.Equal(onDisk.Count, piped.Count);
        Assert.Equal(onDisk.Features, piped.Features);
        Assert.Equal(onDisk.Targets, piped.Targets);
        Assert.Equal(onDisk.Labels, piped.Labels);
    }

    [Fact]
    public async Task GzipIdxImagesThroughAPipeReadAsTheFileOnDisk()
    {
        byte[] gz = SeedFiles.Gzip(SeedFiles.IdxImages());
        IdxImages onDisk = IdxReader.ReadImages(_dir.Write("images.gz", gz));

        IdxImages piped = await ThroughAPipe(gz, path => IdxReader.ReadImages(path));

        Assert.Equal((onDisk.Count, onDisk.Rows, onDisk.Columns), (piped.Count, piped.Rows, piped.Columns));
        Assert.Equal(onDisk.Pixels, piped.Pixels);
    }

    // A reader that tells formats apart by the first bytes (predict --input) sees the decompressed ones.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ThePeekedBytesOfAPipeAreItsContentDecompressedAndAreReadAgain(bool gzip)
    {
        byte[] content = SeedFiles.IdxImages();

        (byte[] peeked, byte[] read) = await ThroughAPipe(gzip ? SeedFiles.Gzip(content) : content, path =>
        {
            using GuardedStream stream = Open(path, 1 << 20);
            return (stream.Peek(4).ToArray(), stream.ReadToEnd());
        });

        Assert.Equal(content[..4], peeked);
        Assert.Equal(content, read);
    }

    // Cut anywhere from the magic bytes on, joined to another gzip file (whose trailer records only its own size),
    // or with a corrupt header: the pipe's error is the file's, word for word.
    public static TheoryData<string> Damaged() => ["cut at 2", "cut at 30", "cut before the trailer", "joined", "corrupt"];

    [Theory]
    [MemberData(nameof(Damaged))]
    public async Task ADamagedGzipFileThroughAPipeIsRefusedAsTheFileOnDiskIs(string damage)
    {
        byte[] gz = SeedFiles.Gzip(Data.IdxFiles.Images(40, 8, 8, i => (byte)(i * 7 % 251)));
        byte[] bytes = damage switch
        {
            "cut at 2" => gz[..2],
            "cut at 30" => gz[..30],
            "cut before the trailer" => gz[..^4],
            "joined" => [.. gz, .. SeedFiles.Gzip([1, 2, 3])],
            _ => [.. gz[..3], 0xff, .. gz[4..]], // reserved flag bits set in the gzip header
        };
        string file = _dir.Write("damaged.gz", bytes);
        string onDisk = Refusal(file);

        string piped = await ThroughAPipe(bytes, path => Refusal(path).Replace(path, file, StringComparison.Ordinal));

        Assert.Equal(onDisk, piped);
        Assert.Contains(damage == "corrupt" ? ": corrupt gzip data: " : ": truncated gzip data: ", piped, StringComparison.Ordinal);
    }

    private static string Refusal(string path)
    {
        using GuardedStream stream = Open(path, 1 << 20);
        return Assert.Throws<TestReadException>(() => stream.ReadToEnd()).Message;
    }

    [Fact]
    public async Task AGzipBombThroughAPipeStopsOneBufferPastTheLimit()
    {
        (string message, long position, long allocated) = await ThroughAPipe(Bombs.ZerosBomb, path =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread(); // on the reading thread, which the awaits may change
            using GuardedStream stream = Open(path, 1 << 20);
            var e = Assert.Throws<TestReadException>(() => stream.ReadToEnd());
            return (e.Message.Replace(path, "bomb", StringComparison.Ordinal), stream.Position,
                GC.GetAllocatedBytesForCurrentThread() - before);
        });

        // the compressed bytes are those read so far, which the pipe's timing decides
        Assert.StartsWith("bomb: the gzip data decompresses to more than the limit of 1048576 bytes (from ", message,
            StringComparison.Ordinal);
        Assert.EndsWith(" compressed bytes); refused as a possible decompression bomb", message, StringComparison.Ordinal);
        Assert.Equal((1 << 20) + 1, position);
        Assert.InRange(allocated, 0, 8 << 20);
    }
}
