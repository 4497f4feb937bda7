using FastNet.Training;

namespace FastNet.Cli.Reporting;

/// <summary>What <c>fastnet train</c> says when training diverged: why, and what was kept.</summary>
internal static class DivergenceMessage
{
    /// <summary>The error line. It names the checkpoint only when this run wrote it (<paramref name="checkpointEpoch"/>
    /// set), and says that --save was not written, so no diverged model passes for a trained one.</summary>
    public static string Format(TrainingDivergedException diverged, string? checkpointPath, int? checkpointEpoch,
        string? savePath)
    {
        ArgumentNullException.ThrowIfNull(diverged);
        string text = $"fastnet: error: {diverged.Message} (try a lower --lr)";
        if (checkpointPath is not null && checkpointEpoch is int epoch)
        {
            text += $"; {checkpointPath} keeps epoch {epoch}, the last before the blow-up";
        }
        else if (checkpointPath is not null)
        {
            text += "; no checkpoint was written: it diverged before this run finished an epoch";
        }
        if (savePath is not null)
        {
            text += $"; the model was not saved to {savePath}";
        }
        return text;
    }
}
