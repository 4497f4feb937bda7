using System.Globalization;
using FastNet.Checkpoints;
using FastNet.Model;
using FastNet.Tests.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>train --resume</c> continues the checkpoint's run or refuses: options that contradict it and other
/// training data are errors, never silently ignored.</summary>
public class ResumeConsistencyCliTests
{
    private static CliRun FirstEpoch(TempDirectory dir, string data, string batch = "16") =>
        CliRun.Of("train", "--data", data, "--test-fraction", "0.2", "--layers", "8", "--batch", batch, "--epochs", "1",
            "--no-progress", "--checkpoint", dir.File("run.ckpt"));

    private static string Csv(TempDirectory dir, string name, int flip)
    {
        var text = new System.Text.StringBuilder();
        for (int r = 0; r < 100; r++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{r % 7},{r % 5},{(r % 3 == flip ? 1 : 0)}\n");
        }
        return dir.Write(name, text.ToString());
    }

    [Theory]
    [InlineData("--layers", "16", "hidden layers 8")]
    [InlineData("--lr", "0.5", "lr 0.001")]
    [InlineData("--optimizer", "sgd", "optimizer adam")]
    [InlineData("--batch", "32", "batch 16")]
    [InlineData("--seed", "9", "seed 1")]
    [InlineData("--accumulate", "2", "accumulate 1")]
    [InlineData("--dropout", "0.5", "dropout none")]
    [InlineData("--lr-scaling", "linear:8", "lr scaling none")]
    [InlineData("--test-fraction", "0.5", "test fraction 0.2")]
    [InlineData("--init", "m.json", "its own parameters")]
    public void AnOptionThatContradictsTheCheckpointIsRefusedNamingBoth(string option, string value, string recorded)
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, FirstEpoch(dir, Csv(dir, "a.csv", 0)).ExitCode);
        byte[] before = File.ReadAllBytes(dir.File("run.ckpt"));

        CliRun run = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--epochs", "2", "--no-progress", option, value);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{option} {value} (the checkpoint has {recorded})", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(dir.File("run.ckpt")));
    }

    // a run that took the default test share (0.2 of the digits, none of a CSV) agrees with that share given on resume
    [Fact]
    public void TheDefaultTestFractionIsComparedAsTheShareItGave()
    {
        using var dir = new TempDirectory();
        string csv = Csv(dir, "a.csv", 0);
        foreach ((string data, string same, string recorded) in new[] { ("digits", "0.2", "0.2"), (csv, "0", "0") })
        {
            CliRun first = CliRun.Of("train", "--data", data, "--layers", "8", "--epochs", "1", "--no-progress",
                "--checkpoint", dir.File("run.ckpt"));
            Assert.True(first.ExitCode == 0, first.ToString());

            CliRun resumed = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--test-fraction", same, "--epochs", "2",
                "--no-progress");
            CliRun other = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--test-fraction", "0.3", "--epochs", "2",
                "--no-progress");

            Assert.True(resumed.ExitCode == 0, $"{data}: {resumed}");
            Assert.Equal(1, other.ExitCode);
            Assert.Contains($"--test-fraction 0.3 (the checkpoint has test fraction {recorded})", other.Error,
                StringComparison.Ordinal);
            File.Delete(dir.File("run.ckpt"));
        }
    }

    // "full" and a number past the training set's size are resolved on the data: resuming with the same words is
    // accepted, and with words that give another batch on this data refused
    [Fact]
    public void TheBatchIsComparedAsResolvedOnTheData()
    {
        using var dir = new TempDirectory();
        string data = Csv(dir, "a.csv", 0);
        Assert.Equal(0, FirstEpoch(dir, data, batch: "full").ExitCode);

        foreach (string same in new[] { "full", "500", "80" })
        {
            CliRun resumed = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--batch", same, "--epochs", "2", "--no-progress");
            Assert.True(resumed.ExitCode == 0, $"--batch {same}: {resumed}");
        }
        CliRun other = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--batch", "40", "--epochs", "2", "--no-progress");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("--batch 40 (the checkpoint has batch 80)", other.Error, StringComparison.Ordinal);

        Assert.Equal(0, FirstEpoch(dir, data).ExitCode); // batch 16
        CliRun full = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--batch", "full", "--epochs", "2", "--no-progress");
        Assert.Equal(1, full.ExitCode);
        Assert.Contains("--batch full (gives batch 80 of 80 training examples; the checkpoint has batch 16)", full.Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsGivenOnResumeWithoutDataAreReadAndCheckedAgainstTheCheckpoint()
    {
        using var dir = new TempDirectory();
        string x = dir.File("x.npy"), y = dir.File("y.npy"), other = dir.File("y2.npy");
        File.WriteAllBytes(x, NpyFiles.Npy("<f4", [6, 2], NpyFiles.Float32(0, 1, 1, 0, 0, 2, 2, 0, 0, 3, 3, 0)));
        File.WriteAllBytes(y, NpyFiles.Npy("<i8", [6], NpyFiles.Int64(0, 1, 0, 1, 0, 1)));
        File.WriteAllBytes(other, NpyFiles.Npy("<i8", [6], NpyFiles.Int64(1, 0, 1, 0, 1, 0)));
        CliRun first = CliRun.Of("train", "--data", x, "--labels", y, "--layers", "4", "--epochs", "1", "--no-progress",
            "--checkpoint", dir.File("run.ckpt"));
        Assert.True(first.ExitCode == 0, first.ToString());

        CliRun run = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--labels", other, "--epochs", "2", "--no-progress");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("gives a different training set", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RepeatingTheCheckpointsOwnValuesIsAcceptedAndEpochsIsReported()
    {
        using var dir = new TempDirectory();
        string data = Csv(dir, "a.csv", 0);
        Assert.Equal(0, FirstEpoch(dir, data).ExitCode);

        CliRun run = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--data", data, "--layers", "8", "--batch", "16",
            "--test-fraction", "0.2", "--optimizer", "adam", "--epochs", "3", "--no-progress", "--save", dir.File("m.json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--epochs 3 overrides the checkpoint's 1 epochs", run.Output, StringComparison.Ordinal);
        Assert.Contains("epoch 3/3", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAccumulatedRunPrintsItsMicroBatchesAndScalingAndResumesWithThem()
    {
        using var dir = new TempDirectory();
        string data = Csv(dir, "a.csv", 0);
        CliRun first = CliRun.Of("train", "--data", data, "--test-fraction", "0.2", "--layers", "8", "--batch", "16",
            "--accumulate", "3", "--lr-scaling", "linear:8", "--warmup", "2", "--epochs", "1", "--no-progress",
            "--checkpoint", dir.File("run.ckpt"));
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("batch 16 (3 micro-batches of up to 6)", first.Output, StringComparison.Ordinal);
        Assert.Contains("lr scaling linear: base batch 8, lr 0.001 x 16/8 = 0.002", first.Output, StringComparison.Ordinal);

        CliRun resumed = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--accumulate", "3", "--lr-scaling",
            "linear:8", "--epochs", "2", "--no-progress");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("batch 16 (3 micro-batches of up to 6)", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("epoch 2/2", resumed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumingWithoutDataOptionsUsesTheCheckpointsDataAndSplit()
    {
        using var dir = new TempDirectory();
        string data = Csv(dir, "a.csv", 0);
        CliRun straight = CliRun.Of("train", "--data", data, "--test-fraction", "0.2", "--layers", "8", "--batch", "16",
            "--epochs", "2", "--no-progress", "--save", dir.File("straight.json"));
        Assert.True(straight.ExitCode == 0, straight.ToString());
        Assert.Equal(0, FirstEpoch(dir, data).ExitCode);

        CliRun resumed = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--epochs", "2", "--no-progress",
            "--save", dir.File("resumed.json"));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(ModelJson.Read(dir.File("straight.json")).Parameters, ModelJson.Read(dir.File("resumed.json")).Parameters);
    }

    [Fact]
    public void ResumingOnOtherTrainingDataIsRefusedNamingBothSources()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, FirstEpoch(dir, Csv(dir, "a.csv", 0)).ExitCode);
        string other = Csv(dir, "b.csv", 1);

        CliRun run = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--data", other, "--epochs", "2", "--no-progress");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("trained on", run.Error, StringComparison.Ordinal);
        Assert.Contains("a.csv", run.Error, StringComparison.Ordinal);
        Assert.Contains("b.csv gives a different training set", run.Error, StringComparison.Ordinal);
    }

    // The first epoch's checkpoint of a.csv, rewritten by change with a valid checksum, then resumed: whatever the
    // resume refuses is what change did.
    private static (CliRun Run, string Path) ResumeChanged(TempDirectory dir, Func<Checkpoint, Checkpoint> change)
    {
        Assert.Equal(0, FirstEpoch(dir, Csv(dir, "a.csv", 0)).ExitCode);
        string path = dir.File("run.ckpt");
        CheckpointFile.Write(change(CheckpointFile.Read(path)), path);
        return (CliRun.Of("train", "--resume", path, "--no-progress"), path);
    }

    // The checksum is made right, so only the position is wrong: the data has 5 batches of 16 per epoch, so a run
    // stops at batch 0 to 4. The file itself cannot tell (its run has 2 epochs, it is in the second); the data can.
    [Theory]
    [InlineData(5)]
    [InlineData(99)]
    public void APositionPastTheEpochOfThisDataIsRefusedNamingTheFileAndField(int batch)
    {
        using var dir = new TempDirectory();
        (CliRun run, string path) = ResumeChanged(dir, saved => saved with
        {
            Training = saved.Training with { Epochs = 2 },
            Position = saved.Position with { Batch = batch },
        });

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"fastnet: error: {path}, field position.batch: {batch} batches of epoch 2 done, but an epoch of " +
            "this training data has 5; expected 0 to 4", run.Error.Trim());
        Assert.DoesNotContain("epoch 2/2", run.Output, StringComparison.Ordinal);
    }

    // A run's checkpoint never stands past the run's last epoch: such a file would train nothing and exit 0.
    [Fact]
    public void AnEpochPastTheRunsLastIsRefusedNamingTheFileAndField()
    {
        using var dir = new TempDirectory();
        (CliRun run, string path) = ResumeChanged(dir, saved => saved with { Position = saved.Position with { Epoch = 40 } });

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"fastnet: error: {path}, field position.epoch: 40 epochs completed, more than the run's 1 " +
            "(training.epochs)", run.Error.Trim());
    }

    [Fact]
    public void APositionInsideTheRunsLastEpochButPastItsEndIsRefused()
    {
        using var dir = new TempDirectory();
        (CliRun run, string path) = ResumeChanged(dir, saved => saved with { Position = saved.Position with { Batch = 2 } });

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"fastnet: error: {path}, field position.batch: batch 2 after the run's last epoch",
            run.Error, StringComparison.Ordinal);
    }

    // A finished run's checkpoint stands at epoch = training.epochs, batch 0. Resuming it trains no epoch and reports
    // the finished model, as before: a way to evaluate or save it, and --epochs extends the run.
    [Fact]
    public void AFinishedRunResumesWithNothingToTrainAndEpochsExtendsIt()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, FirstEpoch(dir, Csv(dir, "a.csv", 0)).ExitCode);
        string path = dir.File("run.ckpt");
        Checkpoint saved = CheckpointFile.Read(path);
        Assert.Equal((saved.Training.Epochs, 0), (saved.Position.Epoch, saved.Position.Batch));

        CliRun finished = CliRun.Of("train", "--resume", path, "--no-progress", "--save", dir.File("m.json"));
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.DoesNotContain("epoch 1/1", finished.Output, StringComparison.Ordinal);
        Assert.Equal(saved.Model.Parameters, ModelJson.Read(dir.File("m.json")).Parameters);

        CliRun extended = CliRun.Of("train", "--resume", path, "--no-progress", "--epochs", "2");
        Assert.True(extended.ExitCode == 0, extended.ToString());
        Assert.Contains("epoch 2/2", extended.Output, StringComparison.Ordinal);
    }

    // --epochs is the option's value, so it is named as the option: fewer epochs than the checkpoint has trained
    // would train nothing. The checkpoint is rewritten to stand inside epoch 3 of 4.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EpochsFewerThanTheCheckpointHasTrainedAreRefusedNamingTheOption(int epochs)
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, FirstEpoch(dir, Csv(dir, "a.csv", 0)).ExitCode);
        string path = dir.File("run.ckpt");
        Checkpoint saved = CheckpointFile.Read(path);
        CheckpointFile.Write(saved with
        {
            Training = saved.Training with { Epochs = 4 },
            Position = saved.Position with { Epoch = 2, Batch = 3 },
        }, path);

        CliRun run = CliRun.Of("train", "--resume", path, "--no-progress", "--epochs", epochs.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"fastnet: error: --epochs {epochs}: the checkpoint {path} has trained 2 epochs and 3 batches of " +
            "epoch 3; give --epochs 3 or more", run.Error.Trim());
    }

    // A newer FastNet's checkpoint, or an edited one, may hold a member this one would drop, and the run would go on
    // without it: refused on one line before anything is trained or written, the checkpoint left as it was.
    [Fact]
    public void AMemberNoCheckpointHasIsRefusedAndTheCheckpointIsLeftAsItWas()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, FirstEpoch(dir, Csv(dir, "a.csv", 0)).ExitCode);
        string path = dir.File("run.ckpt");
        File.WriteAllBytes(path, CheckpointHeaders.WithField(File.ReadAllBytes(path), "optimizer.clip", "1"));
        byte[] before = File.ReadAllBytes(path);
        DateTime written = File.GetLastWriteTimeUtc(path);

        CliRun run = CliRun.Of("train", "--resume", path, "--checkpoint", path, "--epochs", "2", "--no-progress",
            "--save", dir.File("resumed.json"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"fastnet: error: {path}, field optimizer.clip: not a member this file may hold; expected kind, lr, " +
            "momentum, beta1, beta2, eps, weightDecay, trustCoefficient, steps, nadamMuProduct; this FastNet reads " +
            $"checkpoint format version 1{Environment.NewLine}", run.Error);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.False(File.Exists(dir.File("resumed.json")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}
