using FastNet.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>fastnet train</c> stops a run whose loss blows up, says so, and keeps only what was good.</summary>
public class DivergenceCliTests
{
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void AHugeLearningRateStopsWithTheDivergenceMessageAndWritesNothing(string optimizer)
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("run.ckpt"), saved = dir.File("model.json");

        CliRun run = CliRun.Of("train", "--optimizer", optimizer, "--lr", "1e6", "--epochs", "30", "--no-progress",
            "--checkpoint", checkpoint, "--save", saved);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.StartsWith("fastnet: error: training diverged in epoch 1 at batch ", run.Error, StringComparison.Ordinal);
        Assert.Contains("more than 1000 times the", run.Error, StringComparison.Ordinal);
        Assert.Contains("no checkpoint was written", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(checkpoint, run.Error, StringComparison.Ordinal); // never written, so never named
        Assert.Contains($"the model was not saved to {saved}", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(checkpoint));
        Assert.False(File.Exists(saved));
    }

    [Theory]
    [InlineData("--optimizer", "adam")]
    [InlineData("--optimizer", "sgd", "--lr", "0.5")]
    [InlineData("--optimizer", "momentum", "--lr", "0.3")]
    [InlineData("--optimizer", "adagrad", "--lr", "0.5")] // its loss rises about 16-fold over the start early on
    [InlineData("--optimizer", "sgd", "--lr", "5", "--loss", "mse", "--activation", "sigmoid")] // about 70-fold
    public void OrdinaryTrainingIsNotStoppedAsDiverged(params string[] options)
    {
        CliRun run = CliRun.Of(["train", .. options, "--epochs", "10", "--no-progress"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("epoch 10/10", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("diverged", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ABlowUpAfterAGoodEpochNamesTheCheckpointThatKeepsIt()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("run.ckpt");

        // epoch 1 at lr 0.1 trains well; the step schedule then multiplies the rate by a million
        CliRun run = CliRun.Of("train", "--optimizer", "sgd", "--lr", "0.1", "--schedule", "step:1:1e6", "--epochs", "5",
            "--no-progress", "--checkpoint", checkpoint);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("epoch 1/5", run.Output, StringComparison.Ordinal);
        Assert.StartsWith("fastnet: error: training diverged in epoch 2", run.Error, StringComparison.Ordinal);
        Assert.Contains($"{checkpoint} keeps epoch 1, the last before the blow-up", run.Error, StringComparison.Ordinal);
        Checkpoint kept = CheckpointFile.Read(checkpoint);
        Assert.Equal(1, kept.Position.Epoch);
        Assert.All(kept.Model.Parameters, p => Assert.True(float.IsFinite(p) && Math.Abs(p) < 100, $"parameter {p}"));
    }
}
