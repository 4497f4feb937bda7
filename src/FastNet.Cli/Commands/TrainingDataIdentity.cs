using FastNet.Checkpoints;
using FastNet.Data;

namespace FastNet.Cli.Commands;

/// <summary>The training set's checksum, computed once when a checkpoint first needs it, and the check that a resumed
/// run continues on the data its checkpoint was trained on.</summary>
internal sealed class TrainingDataIdentity(Dataset train)
{
    private string? _sha256;

    /// <summary>SHA-256 of the training set as trained on (after the split and the preprocessing).</summary>
    public string Sha256 => _sha256 ??= DatasetChecksum.Sha256(train);

    /// <summary>The checksum, computed when first asked for: the text a configuration compares.</summary>
    public override string ToString() => Sha256;

    /// <summary>Fails when <paramref name="checkpoint"/> records other training data than this run's.</summary>
    public void CheckSameAs(Checkpoint checkpoint, string checkpointPath, string source)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.TrainingDataSha256 is not string recorded || recorded == Sha256)
        {
            return;
        }
        string trainedOn = checkpoint.Model.Metadata.Data?.Source ?? "other data";
        throw new ArgumentException($"--resume {checkpointPath}: the checkpoint was trained on {trainedOn} "
            + $"(training set SHA-256 {recorded[..12]}…), but {source} gives a different training set "
            + $"(SHA-256 {Sha256[..12]}…, {train.Count} examples); resume on the same data, split and preprocessing");
    }
}
