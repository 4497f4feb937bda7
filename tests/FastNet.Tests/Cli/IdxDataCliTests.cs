using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

public class IdxDataCliTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainsOnAnMnistStyleDirectoryWithItsOwnTestSet(bool gzip)
    {
        using var dir = new TempDirectory();
        string images = Path.Combine(dir.Path, "idx");
        IdxFiles.WriteMnistDirectory(images, gzip);

        CliRun run = CliRun.Of("train", "--data", images, "--layers", "4", "--epochs", "2", "--batch", "2", "--no-progress");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("3 training, 0 validation and 2 test examples", run.Output, StringComparison.Ordinal);
        Assert.Contains("network 4-4-10", run.Output, StringComparison.Ordinal);
        Assert.Contains("test accuracy", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AValidationSplitOfADirectorysTrainingSetIsNamedOnce()
    {
        using var dir = new TempDirectory();
        string images = Path.Combine(dir.Path, "idx");
        IdxFiles.WriteMnistDirectory(images, gzip: false);

        CliRun run = CliRun.Of("train", "--data", images, "--validation-fraction", "0.3", "--layers", "4", "--epochs", "1",
            "--batch", "2", "--no-progress");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("fastnet train: idx (train), 2 training, 1 validation and 2 test examples", run.Output, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> SplitsItCannotTake() => new()
    {
        { ["--validation-fraction", "0.9"], "--validation-fraction 0.9: 3 training examples leave none to train on after 3 validation examples" },
        { ["--test-fraction", "0.5"], "--test-fraction: {0} comes with its own test set; leave --test-fraction out" },
    };

    // a directory of IDX files has its own test set, and its training set is what the validation share is of
    [Theory]
    [MemberData(nameof(SplitsItCannotTake))]
    public void ASplitTheDirectoryCannotTakeIsRefusedByName(string[] options, string problem)
    {
        using var dir = new TempDirectory();
        string images = Path.Combine(dir.Path, "idx");
        IdxFiles.WriteMnistDirectory(images, gzip: false);

        CliRun run = CliRun.Of(["train", "--data", images, .. options, "--epochs", "1", "--no-progress"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"fastnet: error: {string.Format(System.Globalization.CultureInfo.InvariantCulture, problem, images)}\n",
            run.Error.Replace("\r", "", StringComparison.Ordinal));
    }

    // the first line comes from the images files' headers, printed before the images are read and found short
    [Fact]
    public void ATruncatedImageFileIsNamedAfterTheFirstLine()
    {
        using var dir = new TempDirectory();
        string images = Path.Combine(dir.Path, "idx");
        IdxFiles.WriteMnistDirectory(images, gzip: false);
        string file = Path.Combine(images, "train-images-idx3-ubyte");
        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^3]);

        CliRun run = CliRun.Of("train", "--data", images, "--epochs", "1", "--no-progress");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("fastnet train: idx (train), 3 training, 0 validation and 2 test examples", run.Output.TrimEnd());
        Assert.Contains("train-images-idx3-ubyte", run.Error, StringComparison.Ordinal);
        Assert.Contains("truncated", run.Error, StringComparison.OrdinalIgnoreCase);
    }
}
