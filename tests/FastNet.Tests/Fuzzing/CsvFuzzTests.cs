using FastNet.Data;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Fuzzing;

public sealed class CsvFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MutatedCsvFilesLoadOrFailWithAnErrorNamingTheFile()
    {
        const int Attempts = 400;
        var mutator = new Mutator(seed: 101);
        int round = 0;
        var fuzz = new LoaderFuzz<DataFormatException>(_dir.File("fuzzed.csv"), path =>
        {
            // Alternate between the three ways a CSV is read: class labels, real-valued targets, features only.
            switch (round++ % 3)
            {
                case 0: CsvLoader.Load(path); break;
                case 1: CsvLoader.Load(path, new CsvOptions { TargetColumns = 2 }); break;
                default: CsvLoader.LoadFeatures(path); break;
            }
        });
        string seed = SeedFiles.Csv();
        for (int i = 0; i < Attempts; i++)
        {
            (byte[] bytes, string what) = mutator.Text(seed);
            fuzz.Attempt(bytes, $"mutation {i}: {what}");
        }
        fuzz.AssertExercised(Attempts);
    }

    [Fact]
    public void ABombOfValidRowsStopsAtTheByteLimitNamingItAndTheCompressedSize()
    {
        string path = _dir.Write("bomb.csv.gz", Bombs.CsvRowsBomb);
        var fuzz = new LoaderFuzz<DataFormatException>(path, p => CsvLoader.Load(p, new CsvOptions { MaxBytes = 1 << 20 }));
        fuzz.Attempt(Bombs.CsvRowsBomb, "bomb");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvOptions { MaxBytes = 1 << 20 }));
        Assert.Contains("more than the limit of 1048576 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains($"from {Bombs.CsvRowsBomb.Length} compressed bytes", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + " line ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DevZeroAsCsvFailsAtOnceNamingTheFile()
    {
        if (!DevZero.Exists)
        {
            return;
        }
        string path = DevZero.LinkAt(_dir.File("zero.csv"));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
    }
}
