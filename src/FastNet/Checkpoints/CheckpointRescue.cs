namespace FastNet.Checkpoints;

/// <summary>Keeps a run's state when the file meant for it cannot be written: a checkpoint at the first of several
/// places that takes it, so hours of training are never lost to a full disk or a vanished directory.</summary>
public static class CheckpointRescue
{
    /// <summary>Writes <paramref name="checkpoint"/> to the first of <paramref name="candidates"/> that can be
    /// written and returns that path; throws an <see cref="IOException"/> naming every failure when none can.</summary>
    public static string WriteFirst(Checkpoint checkpoint, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var failures = new List<string>();
        foreach (string path in candidates.Distinct(StringComparer.Ordinal))
        {
            try
            {
                CheckpointFile.Write(checkpoint, path);
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add(e.Message);
            }
        }
        throw new IOException($"the run's state could not be kept anywhere: {string.Join("; ", failures)}");
    }
}
