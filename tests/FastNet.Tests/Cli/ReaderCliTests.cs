using FastNet.Kernels;
using FastNet.Model;
using FastNet.Tests.Data;
using FastNet.Tests.Fuzzing;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>Every command reads through the same guarded readers: a bad file ends with one line naming it and exit
/// 1, whichever command is given it.</summary>
public sealed class ReaderCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string FourInputModel()
    {
        var spec = new NetworkSpec(4, [new LayerSpec(1, Activation.Sigmoid)]);
        string path = _dir.File("m.json");
        ModelJson.Write(new Model.Model(spec, [0.1f, 0.2f, 0.3f, 0.4f, 0f]), path);
        return path;
    }

    private static void AssertFailedNaming(CliRun run, string path, string problem)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith($"fastnet: error: {path}", run.Error, StringComparison.Ordinal);
        Assert.Contains(problem, run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Fact]
    public void PredictOnACorruptGzipIdxFileFailsCleanlyNamingIt()
    {
        byte[] gz = IdxFiles.Gzip(IdxFiles.Images(3, 2, 2));
        gz[3] = 0xff; // reserved gzip header flags
        string input = _dir.Write("images.gz", gz);
        CliRun run = CliRun.Of("predict", "--model", FourInputModel(), "--input", input, "--output", _dir.File("p.csv"));
        AssertFailedNaming(run, input, "corrupt gzip data");
        Assert.False(File.Exists(_dir.File("p.csv")));
    }

    [Fact]
    public void PredictOnATruncatedGzipIdxFileSaysTruncated()
    {
        byte[] gz = IdxFiles.Gzip(IdxFiles.Images(30, 2, 2));
        string input = _dir.Write("images.gz", gz[..(gz.Length - 10)]);
        CliRun run = CliRun.Of("predict", "--model", FourInputModel(), "--input", input, "--output", _dir.File("p.csv"));
        AssertFailedNaming(run, input, "truncated gzip data");
    }

    [Fact]
    public void EvalWithADirectoryAsTheModelSaysItIsADirectory()
    {
        CliRun run = CliRun.Of("eval", "--model", _dir.Path);
        AssertFailedNaming(run, _dir.Path, "is a directory");
    }

    [Fact]
    public void EvalWithACheckpointWhoseMagicIsDamagedSaysNotAFastNetCheckpoint()
    {
        byte[] bytes = SeedFiles.CheckpointBytes(_dir.Path);
        bytes[0] = (byte)'X';
        string path = _dir.Write("damaged.ckpt", bytes);
        AssertFailedNaming(CliRun.Of("eval", "--model", path), path, "not a FastNet checkpoint");
    }

    [Fact]
    public void EvalWithABinaryFileThatIsNeitherSaysSo()
    {
        string path = _dir.Write("model.json.gz", SeedFiles.Gzip(File.ReadAllBytes(FourInputModel())));
        AssertFailedNaming(CliRun.Of("eval", "--model", path), path, "not a FastNet model file or checkpoint");
    }

    [Fact]
    public void EvalWithDevZeroAsTheModelFailsAtOnce()
    {
        if (!DevZero.Exists)
        {
            return;
        }
        string path = DevZero.LinkAt(_dir.File("zero.ckpt"));
        AssertFailedNaming(CliRun.Of("eval", "--model", path), path, "not a regular file");
    }

    [Fact]
    public void PredictWithADirectoryAsTheInputSaysItIsADirectory()
    {
        string input = Directory.CreateDirectory(_dir.File("inputs")).FullName;
        CliRun run = CliRun.Of("predict", "--model", FourInputModel(), "--input", input, "--output", _dir.File("p.csv"));
        AssertFailedNaming(run, input, "is a directory");
    }
}
