using System.Globalization;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>Warns when the learning-rate warm-up outlasts the run: the rate then rises to a fraction of its value and
/// never reaches it, which the header's "with N-step warm-up" alone does not show.</summary>
internal static class WarmupCheck
{
    public static void WarnIfLongerThanRun(TrainingOptions training, int trainCount, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(error);
        int warmup = training.Schedule.WarmupSteps;
        long steps = (long)training.Epochs * training.StepsPerEpoch(trainCount);
        // the rate at step t of a W-step warm-up is t/W of the schedule's: a run of T < W steps ends at T/W
        if (steps == 0 || warmup <= steps)
        {
            return;
        }
        int perEpoch = training.StepsPerEpoch(trainCount);
        double reached = 100.0 * steps / warmup;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fastnet: warning: --warmup {warmup} is longer than the run's {steps} steps ({training.Epochs} epochs of {perEpoch}): the learning rate rises to {reached:F1}% of the schedule's and never reaches it; give --warmup at most the run's steps"));
    }
}
