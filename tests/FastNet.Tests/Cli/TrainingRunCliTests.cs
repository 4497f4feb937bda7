using System.Text.Json;
using FastNet.Checkpoints;
using FastNet.Model;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>The practitioner's side of <c>fastnet train</c>: checkpoints and resume, metrics, curves, early
/// stopping, divergence and Ctrl-C.</summary>
public class TrainingRunCliTests
{
    private static readonly string[] Small = ["--layers", "16", "--batch", "64", "--no-progress"];

    [Fact]
    public void TwoEpochsEqualOneEpochThenResumeForOneMore()
    {
        using var dir = new TempDirectory();
        CliRun straight = CliRun.Of(["train", .. Small, "--epochs", "2", "--save", dir.File("straight.json")]);
        Assert.True(straight.ExitCode == 0, straight.ToString());

        CliRun first = CliRun.Of(["train", .. Small, "--epochs", "1", "--checkpoint", dir.File("run.ckpt")]);
        Assert.True(first.ExitCode == 0, first.ToString());
        CliRun resumed = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--epochs", "2", "--no-progress",
            "--save", dir.File("resumed.json"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        Assert.Contains("resuming", resumed.Output, StringComparison.Ordinal);
        Assert.Equal(ModelJson.Read(dir.File("straight.json")).Parameters, ModelJson.Read(dir.File("resumed.json")).Parameters);
        Assert.Equal(LastLine(straight.Output, "test accuracy"), LastLine(resumed.Output, "test accuracy"));
    }

    [Fact]
    public void MetricsFileHasOneObjectPerEpochAndPlotIsAPng()
    {
        using var dir = new TempDirectory();
        CliRun run = CliRun.Of(["train", .. Small, "--epochs", "3", "--validation-fraction", "0.1",
            "--metrics", dir.File("m.jsonl"), "--plot", dir.File("curve.png")]);
        Assert.True(run.ExitCode == 0, run.ToString());

        string[] lines = File.ReadAllLines(dir.File("m.jsonl"));
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(lines[i]);
            Assert.Equal(i + 1, doc.RootElement.GetProperty("epoch").GetInt32());
            Assert.InRange(doc.RootElement.GetProperty("val_accuracy").GetDouble(), 0, 1);
            Assert.True(doc.RootElement.GetProperty("loss").GetDouble() > 0);
        }
        byte[] png = File.ReadAllBytes(dir.File("curve.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 5000, $"a {png.Length}-byte PNG cannot hold the curves");
    }

    // a run resumed from an older checkpoint (or stopped between an epoch's line and its checkpoint) trains epochs
    // again whose lines the file holds: they are dropped, with a note, so each epoch has one line, as uninterrupted
    [Fact]
    public void AResumedRunsMetricsHoldEachEpochOnce()
    {
        using var dir = new TempDirectory();
        string metrics = dir.File("m.jsonl"), older = dir.File("older.ckpt");
        CliRun straight = CliRun.Of(["train", .. Small, "--epochs", "3", "--metrics", dir.File("straight.jsonl")]);
        CliRun first = CliRun.Of(["train", .. Small, "--epochs", "1", "--checkpoint", older]);
        Assert.True(straight.ExitCode == 0 && first.ExitCode == 0, straight + first.ToString());
        CliRun three = CliRun.Of(["train", .. Small, "--epochs", "3", "--metrics", metrics]); // lines of epochs 1-3
        Assert.True(three.ExitCode == 0, three.ToString());
        File.AppendAllText(metrics, "{\"epoch\":4,\"lo"); // and a line cut off, as by a kill mid-write

        CliRun resumed = CliRun.Of("train", "--resume", older, "--epochs", "3", "--no-progress", "--metrics", metrics);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"fastnet: note: --metrics {metrics}: dropped 3 line(s) after the checkpoint's epoch 1, which this "
            + "run trains again", resumed.Error, StringComparison.Ordinal);
        string[] lines = File.ReadAllLines(metrics);
        Assert.Equal([1, 2, 3], lines.Select(l => (int)Member(l, "epoch")));
        // the resumed epochs' losses are the uninterrupted run's
        Assert.Equal(File.ReadAllLines(dir.File("straight.jsonl")).Select(l => Member(l, "loss")),
            lines.Select(l => Member(l, "loss")));

        File.WriteAllText(metrics, "epoch,loss\n1,0.5\n");
        CliRun other = CliRun.Of("train", "--resume", older, "--epochs", "3", "--no-progress", "--metrics", metrics);
        Assert.Equal((1, $"fastnet: error: --metrics {metrics} line 1: expected a JSON object with an epoch number, as "
            + "train writes; choose another --metrics to resume into\n"), (other.ExitCode, other.Error));
        Assert.Equal("epoch,loss\n1,0.5\n", File.ReadAllText(metrics));
    }

    private static double Member(string line, string name)
    {
        using JsonDocument document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty(name).GetDouble();
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestModel()
    {
        using var dir = new TempDirectory();
        // A learning rate this high makes the validation loss stop improving quickly.
        CliRun run = CliRun.Of(["train", .. Small, "--epochs", "60", "--lr", "0.05", "--validation-fraction", "0.2",
            "--early-stopping", "2", "--metrics", dir.File("m.jsonl")]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("early stopping", run.Output, StringComparison.Ordinal);
        string[] lines = File.ReadAllLines(dir.File("m.jsonl"));
        Assert.True(lines.Length < 60);
        double[] valLoss = [.. lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("val_loss").GetDouble())];
        int best = Array.IndexOf(valLoss, valLoss.Min()) + 1;
        Assert.Contains($"restoring the model of epoch {best}", run.Output, StringComparison.Ordinal);
        Assert.Equal(best + 2, lines.Length);
    }

    [Fact]
    public void DivergenceStopsWithAMessageAndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDirectory();
        // Targets of 1e30 overflow the squared error to infinity in the first epoch.
        string data = dir.Write("huge.csv", "0.5,1e30\n0.25,2e30\n");
        CliRun run = CliRun.Of("train", "--data", data, "--targets", "1", "--loss", "mse", "--epochs", "3",
            "--checkpoint", dir.File("run.ckpt"), "--no-progress");
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("training diverged", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("run.ckpt")), "a diverged epoch must not replace the last good checkpoint");
    }

    [Fact]
    public void CtrlCWritesACheckpointThatResumes()
    {
        using var dir = new TempDirectory();
        using var run = CliProcess.Start(Environment.CurrentDirectory, "train", "--backend", "reference", "--layers", "256",
            "--batch", "1", "--epochs", "50", "--no-progress", "--checkpoint", dir.File("run.ckpt"));
        // Wait until training has started, then interrupt it.
        Assert.True(run.WaitForLine("network"), run.ToString());
        Thread.Sleep(500);
        run.Signal("INT");
        int exitCode = run.Exit();
        Assert.True(exitCode == 130, $"exit code {exitCode}\n{run}");
        Assert.Contains("interrupted", run.Error, StringComparison.Ordinal);
        Checkpoint saved = CheckpointFile.Read(dir.File("run.ckpt"));
        int batchesPerEpoch = 1438; // batch 1 over the digits' training split
        Assert.True(saved.Position.Epoch < 50);
        Assert.Equal((long)saved.Position.Epoch * batchesPerEpoch + saved.Position.Batch, saved.OptimizerSteps);

        CliRun resumed = CliRun.Of("train", "--resume", dir.File("run.ckpt"), "--epochs",
            (saved.Position.Epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-progress");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"resuming {dir.File("run.ckpt")} at epoch {saved.Position.Epoch + 1}, batch {saved.Position.Batch}",
            resumed.Output, StringComparison.Ordinal);
        Assert.Contains("test accuracy", resumed.Output, StringComparison.Ordinal);
    }

    private static string LastLine(string output, string prefix) =>
        output.Split('\n').Last(l => l.StartsWith(prefix, StringComparison.Ordinal));
}
