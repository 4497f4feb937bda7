using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastNet.Cli.Reporting;

/// <summary>
/// A live progress bar per epoch with samples/s and the time left, shown only on an interactive terminal. Spectre
/// suppresses it by itself when the output is redirected, where the per-epoch lines are the record.
/// </summary>
internal static class TrainingProgress
{
    public static bool Available(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with a callback that starts an epoch's bar (epoch, samples), one that
    /// advances it by a number of samples, and one that prints a line above the live bars.</summary>
    public static T Run<T>(Func<Action<int, int>, Action<int>, Action<string>, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new SamplesPerSecondColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                return work(
                    (epoch, samples) =>
                    {
                        task?.StopTask();
                        task = context.AddTask($"epoch {epoch}", maxValue: samples);
                    },
                    rows => task?.Increment(rows),
                    line => AnsiConsole.WriteLine(line));
            });

    private sealed class SamplesPerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is double speed ? $"{speed:N0} samples/s" : "");
    }
}
