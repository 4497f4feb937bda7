using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>
/// A command line that does not parse is reported as every other error is: each error on a line of its own after
/// "fastnet: error: ", the nearest names to a misspelt option or command, one line pointing to the command's help and
/// exit code 1; the help itself is printed only when asked for.
/// </summary>
public sealed class CommandLineErrorCliTests
{
    private static string[] Lines(string text) => text.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');

    [Theory]
    [InlineData("train", "--epochs", "abc")] // not a number
    [InlineData("train", "--layers")] // no value
    [InlineData("bench", "--repeats", "two")]
    public void AValueThatDoesNotParseIsOneErrorAndAPointerToHelp(params string[] args)
    {
        CliRun run = CliRun.Of(args);

        Assert.True(run.ExitCode == 1, run.ToString());
        string[] lines = Lines(run.Error);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("fastnet: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains($"'{args[1]}'", lines[0], StringComparison.Ordinal);
        Assert.Equal($"Try 'fastnet {args[0]} --help' for more information.", lines[1]);
        Assert.Equal("", run.Output); // not the whole help
    }

    [Fact]
    public void EveryMissingRequiredOptionIsNamed()
    {
        CliRun run = CliRun.Of("predict", "--model", "m.json");

        Assert.True(run.ExitCode == 1, run.ToString());
        string[] lines = Lines(run.Error);
        Assert.Equal(3, lines.Length);
        Assert.Matches("^fastnet: error: .*'--input'", lines[0]);
        Assert.Matches("^fastnet: error: .*'--output'", lines[1]);
        Assert.Equal("Try 'fastnet predict --help' for more information.", lines[2]);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void AMisspeltOptionGetsTheNearestName()
    {
        CliRun run = CliRun.Of("train", "--epoch", "3");

        Assert.True(run.ExitCode == 1, run.ToString());
        string[] lines = Lines(run.Error);
        Assert.All(lines[..2], l => Assert.StartsWith("fastnet: error: ", l, StringComparison.Ordinal));
        Assert.Contains("'--epoch'", lines[0], StringComparison.Ordinal);
        Assert.Equal(["fastnet: note: '--epoch': did you mean --epochs?", "Try 'fastnet train --help' for more information."],
            lines[2..]);
        Assert.Equal("", run.Output);
    }

    [Theory]
    [InlineData("trian", "train", "fastnet")]
    [InlineData("data lst", "list", "fastnet data")]
    public void AMisspeltCommandGetsTheNearestName(string command, string nearest, string helpOf)
    {
        CliRun run = CliRun.Of(command.Split(' '));

        Assert.True(run.ExitCode == 1, run.ToString());
        string[] lines = Lines(run.Error);
        Assert.Contains($"fastnet: note: '{command.Split(' ')[^1]}': did you mean {nearest}?", lines);
        Assert.Equal($"Try '{helpOf} --help' for more information.", lines[^1]);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void HelpAskedForIsShownDespiteAnError()
    {
        CliRun run = CliRun.Of("train", "--epoch", "3", "--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Contains("--epochs <epochs>", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }
}
