namespace FastNet.Training;

/// <summary>
/// A training setting out of range. <see cref="Option"/> is the command-line option that sets it, so a reader of a
/// file that records the setting can name its own field instead of blaming the command line.
/// </summary>
/// <param name="Option">The option, as <c>--lr</c>.</param>
/// <param name="Problem">What is wrong, as "expected a positive learning rate, got 0".</param>
public sealed record SettingProblem(string Option, string Problem)
{
    /// <summary>The error for a value given on the command line: the option, then the problem.</summary>
    public ArgumentException ToException() => new($"{Option}: {Problem}");
}
