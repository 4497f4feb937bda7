using System.Text;
using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Fuzzing;

public sealed class ModelJsonFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MutatedModelFilesLoadOrFailWithAnErrorNamingTheFile()
    {
        const int Attempts = 400;
        var mutator = new Mutator(seed: 404);
        string seed = Encoding.UTF8.GetString(SeedFiles.Model(_dir.Path));
        var fuzz = new LoaderFuzz<ModelFormatException>(_dir.File("fuzzed.json"), path => ModelJson.Read(path));
        for (int i = 0; i < Attempts; i++)
        {
            (byte[] bytes, string what) = mutator.Text(seed);
            fuzz.Attempt(bytes, $"mutation {i}: {what}");
        }
        fuzz.AssertExercised(Attempts);
    }

    [Fact]
    public void DevZeroAsAModelFailsAtOnceNamingTheFile()
    {
        if (!DevZero.Exists)
        {
            return;
        }
        string path = DevZero.LinkAt(_dir.File("zero.json"));
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Read(path));
        Assert.StartsWith($"{path}: not a regular file", e.Message, StringComparison.Ordinal);
    }
}
