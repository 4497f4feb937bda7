using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>fastnet train</c> with no options: the embedded digits, a held-out test split, ≥ 0.95.</summary>
public partial class DefaultTrainCliTests
{
    [Fact]
    public void TrainsTheEmbeddedDigitsToAtLeast95PercentTestAccuracy()
    {
        CliRun run = CliRun.Of("train");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("1438 training, 0 validation and 359 test examples", run.Output, StringComparison.Ordinal);
        Assert.Equal(30, EpochLine().Matches(run.Output).Count);
        Match final = FinalAccuracy().Match(run.Output);
        Assert.True(final.Success, run.ToString());
        double accuracy = double.Parse(final.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.95, $"test accuracy {accuracy}\n{run}");
    }

    [GeneratedRegex(@"^epoch +\d+/30  loss [0-9.E-]+  accuracy [0-9.]+  test loss [0-9.E-]+  test accuracy [0-9.]+", RegexOptions.Multiline)]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"^test accuracy ([0-9.]+)  test loss [0-9.E-]+$", RegexOptions.Multiline)]
    private static partial Regex FinalAccuracy();
}
