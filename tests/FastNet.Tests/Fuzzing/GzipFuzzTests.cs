using System.Text;
using FastNet.Data;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Fuzzing;

/// <summary>Mutations of the compressed bytes of gzip CSV and IDX files: the gzip layer must turn every corruption,
/// truncation and altered trailer into the loader's error naming the file.</summary>
public sealed class GzipFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MutatedGzipFilesLoadOrFailWithAnErrorNamingTheFile()
    {
        const int Attempts = 300;
        var mutator = new Mutator(seed: 303);
        byte[] csv = SeedFiles.Gzip(Encoding.UTF8.GetBytes(SeedFiles.Csv()));
        byte[] idx = SeedFiles.Gzip(SeedFiles.IdxImages());
        var csvFuzz = new LoaderFuzz<DataFormatException>(_dir.File("fuzzed.csv.gz"), path => CsvLoader.Load(path));
        var idxFuzz = new LoaderFuzz<DataFormatException>(_dir.File("fuzzed-idx.gz"), path => IdxReader.ReadImages(path));
        for (int i = 0; i < Attempts; i++)
        {
            (byte[] bytes, string what) = mutator.Binary(csv);
            csvFuzz.Attempt(bytes, $"csv mutation {i}: {what}");
            (bytes, what) = mutator.Binary(idx);
            idxFuzz.Attempt(bytes, $"idx mutation {i}: {what}");
        }
        csvFuzz.AssertExercised(Attempts);
        idxFuzz.AssertExercised(Attempts);
    }

    [Fact]
    public void EveryCutOfAGzipFileSaysTruncated()
    {
        byte[] gz = SeedFiles.Gzip(SeedFiles.IdxImages());
        string path = _dir.File("cut.gz");
        for (int length = 2; length < gz.Length; length++) // from the magic bytes on: shorter is not gzip
        {
            File.WriteAllBytes(path, gz[..length]);
            var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
            Assert.StartsWith($"{path}: truncated gzip data", e.Message, StringComparison.Ordinal);
        }
    }
}
