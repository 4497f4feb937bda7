using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// A run resumed from a checkpoint ends as the uninterrupted run does, also where it ends by early stopping (the best
/// validation loss so far and its model come from the checkpoint) or by the divergence guard (whose reference is the
/// loss the run started from, not that of the checkpoint's trained model).
/// </summary>
public sealed class ResumedRunStateCliTests
{
    private static readonly string[] EarlyStopping = ["--layers", "16", "--batch", "64", "--lr", "0.05",
        "--validation-fraction", "0.2", "--early-stopping", "2", "--no-progress"];

    // uninterrupted, this run stops after epoch 8 and keeps epoch 6: resumed from before, at and after the best epoch,
    // and from the checkpoint of the stopping epoch itself, it saves the same file
    [Fact]
    public void ARunResumedAcrossEarlyStoppingSavesTheSameModel()
    {
        using var dir = new TempDirectory();
        CliRun straight = CliRun.Of(["train", .. EarlyStopping, "--epochs", "60", "--save", dir.File("straight.json")]);
        Assert.True(straight.ExitCode == 0, straight.ToString());
        Assert.Contains("early stopping: no lower validation loss for 2 epochs; restoring the model of epoch 6",
            straight.Output, StringComparison.Ordinal);

        foreach (int epochs in new[] { 5, 6, 7, 8 })
        {
            string checkpoint = dir.File($"e{epochs}.ckpt"), saved = dir.File($"e{epochs}.json");
            CliRun first = CliRun.Of(["train", .. EarlyStopping, "--epochs", $"{epochs}", "--checkpoint", checkpoint]);
            Assert.True(first.ExitCode == 0, first.ToString());

            CliRun resumed = CliRun.Of("train", "--resume", checkpoint, "--epochs", "60", "--no-progress", "--save", saved);

            Assert.True(resumed.ExitCode == 0, resumed.ToString());
            Assert.Contains("restoring the model of epoch 6", resumed.Output, StringComparison.Ordinal);
            Assert.True(File.ReadAllBytes(dir.File("straight.json")).AsSpan().SequenceEqual(File.ReadAllBytes(saved)),
                $"resumed after epoch {epochs}: the saved model differs");
        }
    }

    // without a test set the last line gives the training loss of the model kept, not of the last epoch trained
    [Fact]
    public void WithoutATestSetTheLastLineGivesTheKeptEpochsTrainingLoss()
    {
        CliRun run = CliRun.Of(["train", .. EarlyStopping, "--test-fraction", "0", "--epochs", "60"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Output.TrimEnd('\n').Split('\n');
        string stop = lines[^2];
        Assert.StartsWith("early stopping: no lower validation loss for 2 epochs; restoring the model of epoch ", stop, StringComparison.Ordinal);
        string kept = stop[(stop.LastIndexOf(' ') + 1)..];
        string epochLine = lines.Single(l => l.StartsWith($"epoch {kept,2}/60  loss ", StringComparison.Ordinal));
        string loss = epochLine.Split("  loss ")[1].Split(' ')[0];
        Assert.Equal($"training loss {loss} (epoch {kept}, the model kept)", lines[^1]);
    }

    [Fact]
    public void AnotherPatienceOnResumeIsRefused()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        CliRun first = CliRun.Of(["train", .. EarlyStopping, "--epochs", "2", "--checkpoint", checkpoint]);
        Assert.True(first.ExitCode == 0, first.ToString());

        CliRun resumed = CliRun.Of("train", "--resume", checkpoint, "--epochs", "4", "--early-stopping", "3", "--no-progress");

        Assert.True(resumed.ExitCode == 1, resumed.ToString());
        Assert.Contains("--early-stopping 3 (the checkpoint has early stopping after 2 epochs)", resumed.Error,
            StringComparison.Ordinal);
    }

    // y = 2x fitted by full-batch SGD at a rate past stability: the loss grows geometrically from about 2.08 and the
    // guard stops the run in epoch 14, resumed or not
    [Fact]
    public void ARunResumedBeforeABlowUpDivergesWhereTheUninterruptedRunDoes()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("line.csv", string.Concat(Enumerable.Range(0, 20).Select(i => $"{i / 10.0},{i / 5.0}\n")));
        string[] run = ["train", "--data", data, "--targets", "1", "--layers", "none", "--no-biases", "--optimizer", "sgd",
            "--lr", "0.95", "--batch", "full", "--no-progress"];
        CliRun straight = CliRun.Of([.. run, "--epochs", "30"]);
        Assert.True(straight.ExitCode == 1, straight.ToString());
        string diverged = straight.Error[..straight.Error.IndexOf(" (try", StringComparison.Ordinal)];
        Assert.StartsWith("fastnet: error: training diverged in epoch 14 at batch 1: ", diverged, StringComparison.Ordinal);

        string checkpoint = dir.File("run.ckpt");
        CliRun first = CliRun.Of([.. run, "--epochs", "8", "--checkpoint", checkpoint]);
        Assert.True(first.ExitCode == 0, first.ToString());
        CliRun resumed = CliRun.Of("train", "--resume", checkpoint, "--epochs", "30", "--no-progress");

        Assert.True(resumed.ExitCode == 1, resumed.ToString());
        Assert.StartsWith(diverged, resumed.Error, StringComparison.Ordinal);
    }
}
