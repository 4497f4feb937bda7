using System.Globalization;

namespace FastNet.Cli.Reporting;

/// <summary>
/// What the progress bar says about the whole run: the epoch with its running loss, and the time left until the last
/// epoch ends. The estimate is the run's own pace so far (wall time per example, evaluations included) applied to the
/// examples still to train. Time comes from <paramref name="now"/>, so tests can set it.
/// </summary>
/// <param name="epochs">The run's last epoch.</param>
/// <param name="examples">Examples still to train in this run: the rest of the current epoch and every later epoch.</param>
/// <param name="now">The clock.</param>
internal sealed class RunProgress(int epochs, long examples, Func<TimeSpan> now)
{
    private readonly TimeSpan _start = now();
    private long _done;

    /// <summary>The epoch in progress.</summary>
    public int Epoch { get; private set; }

    /// <summary>Starts epoch <paramref name="epoch"/> (1-based).</summary>
    public void StartEpoch(int epoch) => Epoch = epoch;

    /// <summary>Counts <paramref name="rows"/> more trained examples.</summary>
    public void Advance(int rows) => _done += rows;

    /// <summary>The time left for the whole run, or null before the first example (no pace yet).</summary>
    public TimeSpan? Remaining()
    {
        if (_done == 0)
        {
            return null;
        }
        double perExample = (now() - _start).TotalSeconds / _done;
        return TimeSpan.FromSeconds(perExample * Math.Max(0, examples - _done));
    }

    /// <summary>"epoch 3/10  loss 0.1234", or "loss -" before the epoch's loss is first measured.</summary>
    public string Describe(double runningLoss) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {Epoch}/{epochs}  loss {(double.IsFinite(runningLoss) ? runningLoss.ToString("G4", CultureInfo.InvariantCulture) : "-")}");

    /// <summary>"run 1:05:09 left", "run 2:03 left", or "run -:-- left" without an estimate.</summary>
    public string RemainingText() => $"run {Clock(Remaining())} left";

    /// <summary>m:ss under an hour, h:mm:ss above; "-:--" for none.</summary>
    public static string Clock(TimeSpan? time)
    {
        if (time is not TimeSpan t)
        {
            return "-:--";
        }
        long seconds = (long)Math.Ceiling(t.TotalSeconds);
        return seconds >= 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:00}");
    }
}
