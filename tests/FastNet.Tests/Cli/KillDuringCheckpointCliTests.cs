using System.Globalization;
using System.Text;
using FastNet.Checkpoints;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>kill -9 at any moment, most of them in the middle of a checkpoint write: the checkpoint is always
/// loadable or absent, and the next run removes what the killed one left.</summary>
public class KillDuringCheckpointCliTests
{
    // Half of them wait for a write to begin; one kill inside a write is enough to prove the point, each costs a start.
    private const int Kills = 12;

    [Fact]
    public void KillNineAtRandomMomentsLeavesALoadableCheckpointAndNoTemporaryFilesAfterTheNextStart()
    {
        using var dir = new TempDirectory();
        string checkpoint = dir.File("run.ckpt");
        // A million parameters trained on 16 rows: each epoch is short and ends in a 4 MB checkpoint write, so the
        // run spends much of its time writing checkpoints.
        var csv = new StringBuilder();
        for (int row = 0; row < 16; row++)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"{row % 3},{row % 5},{row % 7},{row % 2},{row % 2}");
        }
        string data = dir.Write("rows.csv", csv.ToString());
        string[] args = ["train", "--data", data, "--layers", "1024,1024", "--optimizer", "sgd", "--batch", "16",
            "--epochs", "1000000", "--no-progress", "--checkpoint", checkpoint];
        var random = new Random(20261202);
        int killedWhileWriting = 0;

        for (int kill = 0; kill < Kills; kill++)
        {
            using var run = CliProcess.Start(dir.Path, args);
            Assert.True(run.WaitForLine("network"), run.ToString());
            // The run has passed its start checks: nothing a killed run left may remain but this run's own file.
            Assert.DoesNotContain(Temporaries(dir), t => t != AtomicFile.TemporaryFor(checkpoint, run.Id));
            Assert.True(run.WaitForLine("epoch "), run.ToString());
            if (kill % 2 == 0)
            {
                WaitUntilExists(AtomicFile.TemporaryFor(checkpoint, run.Id));
            }
            Thread.Sleep(random.Next(0, kill % 2 == 0 ? 4 : 60));
            run.KillHard();

            if (Temporaries(dir).Any())
            {
                killedWhileWriting++;
            }
            if (File.Exists(checkpoint))
            {
                CheckpointFile.Read(checkpoint); // throws on a partial or corrupt file
            }
        }
        Assert.True(killedWhileWriting > 0, "no kill landed in a checkpoint write, so the test proved nothing");

        using (var last = CliProcess.Start(dir.Path, args))
        {
            Assert.True(last.WaitForLine("epoch ", count: 2), last.ToString());
            last.Signal("TERM");
            Assert.Equal(143, last.Exit());
        }
        Assert.Empty(Temporaries(dir));
        CheckpointFile.Read(checkpoint);
    }

    private static IEnumerable<string> Temporaries(TempDirectory dir) => Directory.GetFiles(dir.Path, "*.tmp");

    // Polls: the moment a write begins is visible only as its temporary file appearing.
    private static void WaitUntilExists(string path)
    {
        for (int i = 0; i < 20_000 && !File.Exists(path); i++)
        {
            Thread.Sleep(1);
        }
    }
}
