using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastNet.Cli.Reporting;

/// <summary>
/// A live progress bar per epoch with the epoch's running loss, samples/s, the time left in the epoch and in the whole
/// run (<see cref="RunProgress"/>), shown only on an interactive terminal. Spectre suppresses it by itself when the
/// output is redirected, where the per-epoch lines are the record.
/// </summary>
internal static class TrainingProgress
{
    public static bool Available(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with a callback that starts an epoch's bar (epoch, samples), one that
    /// advances it by a number of samples, and one that prints a line above the live bars. The run has
    /// <paramref name="epochs"/> epochs and <paramref name="examples"/> examples left to train;
    /// <paramref name="runningLoss"/> reads the epoch's loss so far.</summary>
    public static T Run<T>(int epochs, long examples, Func<double> runningLoss,
        Func<Action<int, int>, Action<int>, Action<string>, T> work)
    {
        var clock = Stopwatch.StartNew();
        var run = new RunProgress(epochs, examples, () => clock.Elapsed);
        return AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new SamplesPerSecondColumn(), new EpochRemainingColumn(), new RunRemainingColumn(run))
            .Start(context =>
            {
                ProgressTask? task = null;
                return work(
                    (epoch, samples) =>
                    {
                        task?.StopTask();
                        run.StartEpoch(epoch);
                        task = context.AddTask(run.Describe(double.NaN), maxValue: samples);
                    },
                    rows =>
                    {
                        run.Advance(rows);
                        if (task is not null)
                        {
                            task.Description = run.Describe(runningLoss());
                            task.Increment(rows);
                        }
                    },
                    line => AnsiConsole.WriteLine(line));
            });
    }

    private sealed class SamplesPerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is double speed ? $"{speed:N0} samples/s" : "");
    }

    private sealed class EpochRemainingColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"epoch {RunProgress.Clock(task.RemainingTime)} left");
    }

    private sealed class RunRemainingColumn(RunProgress run) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(run.RemainingText());
    }
}
