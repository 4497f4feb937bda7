using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using FastNet.Data;

namespace FastNet.Tests.Data;

/// <summary>Stands in for npm, apt-get and dpkg-deb: each program is a delegate over (arguments, working directory).</summary>
public sealed class FakeRunner : IProcessRunner
{
    public Dictionary<string, Func<IReadOnlyList<string>, string, ProcessResult>> Programs { get; } = [];

    public List<string> Calls { get; } = [];

    public ProcessResult Run(string program, IReadOnlyList<string> arguments, string workingDirectory)
    {
        Calls.Add($"{program} {string.Join(' ', arguments)}");
        return Programs.TryGetValue(program, out var run)
            ? run(arguments, workingDirectory)
            : throw new DataFetchException($"cannot run {program}");
    }
}

/// <summary>Small MNIST-like files and the packages that carry them.</summary>
public static class FakePackages
{
    /// <summary>The four files: 3 training and 2 test images of 2×2.</summary>
    public static Dictionary<string, byte[]> Files() => new()
    {
        [MnistDirectory.TrainImages] = IdxFiles.Images(3, 2, 2),
        [MnistDirectory.TrainLabels] = IdxFiles.Labels(0, 9, 4),
        [MnistDirectory.TestImages] = IdxFiles.Images(2, 2, 2, i => (byte)(200 + i)),
        [MnistDirectory.TestLabels] = IdxFiles.Labels(7, 1),
    };

    public static KnownDataset Dataset(string name, PackageSource source, Dictionary<string, byte[]> files) =>
        new(name, source, source == PackageSource.Npm ? "fake-mnist@1.0.0" : "dataset-fake",
            files.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(MD5.HashData(kv.Value))));

    /// <summary>An npm tarball: package/package.json and the files under package/data/.</summary>
    public static byte[] NpmTarball(Dictionary<string, byte[]> files)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            Add(tar, "package/package.json", "{\"name\":\"fake\"}"u8.ToArray());
            foreach ((string name, byte[] data) in files)
            {
                Add(tar, "package/data/" + name, data);
            }
        }
        return memory.ToArray();
    }

    /// <summary>A .deb whose data.tar.gz holds the gzipped files under ./usr/share/datasets/fake/.</summary>
    public static byte[] Deb(Dictionary<string, byte[]> files, string dataMember = "data.tar.gz")
    {
        using var tarBytes = new MemoryStream();
        using (var gzip = new GZipStream(tarBytes, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            foreach ((string name, byte[] data) in files)
            {
                Add(tar, $"./usr/share/datasets/fake/{name}.gz", IdxFiles.Gzip(data));
            }
        }
        return Ar(("debian-binary", "2.0\n"u8.ToArray()), ("control.tar.gz", [1, 2, 3]), (dataMember, tarBytes.ToArray()));
    }

    public static byte[] Ar(params (string Name, byte[] Data)[] members)
    {
        using var memory = new MemoryStream();
        memory.Write("!<arch>\n"u8);
        foreach ((string name, byte[] data) in members)
        {
            string header = $"{name,-16}{0,-12}{0,-6}{0,-6}{"100644",-8}{data.Length,-10}`\n";
            memory.Write(Encoding.ASCII.GetBytes(header));
            memory.Write(data);
            if (data.Length % 2 == 1)
            {
                memory.WriteByte((byte)'\n');
            }
        }
        return memory.ToArray();
    }

    private static void Add(TarWriter tar, string name, byte[] data)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
        tar.WriteEntry(entry);
    }
}
