using FastNet.Cli.Reporting;
using Xunit;

namespace FastNet.Tests.Reporting;

/// <summary>The progress bar's whole-run estimate and its wording, on a clock the test sets.</summary>
public class RunProgressTests
{
    private TimeSpan _now = TimeSpan.FromSeconds(100);

    [Fact]
    public void TheTimeLeftIsThePaceSoFarAppliedToTheExamplesStillToTrain()
    {
        // 3 epochs of 1000 examples
        var run = new RunProgress(3, 3000, () => _now);
        run.StartEpoch(1);
        Assert.Null(run.Remaining());
        Assert.Equal("run -:-- left", run.RemainingText());

        _now += TimeSpan.FromSeconds(10);
        run.Advance(500);
        Assert.Equal(TimeSpan.FromSeconds(50), run.Remaining()); // 2500 examples at 0.02 s each

        // a slow evaluation between epochs slows the pace of the whole run
        _now += TimeSpan.FromSeconds(20);
        run.Advance(500);
        run.StartEpoch(2);
        Assert.Equal(TimeSpan.FromSeconds(60), run.Remaining()); // 2000 examples at 0.03 s each
        Assert.Equal("run 1:00 left", run.RemainingText());

        run.Advance(2000);
        Assert.Equal(TimeSpan.Zero, run.Remaining());
    }

    [Fact]
    public void TheDescriptionNamesTheEpochOfTheRunAndItsRunningLoss()
    {
        var run = new RunProgress(10, 100, () => _now);
        run.StartEpoch(3);
        Assert.Equal("epoch 3/10  loss -", run.Describe(double.NaN));
        Assert.Equal("epoch 3/10  loss 0.1235", run.Describe(0.123456));
        Assert.Equal("epoch 3/10  loss 1.235E+05", run.Describe(123456.0));
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(0.2, "0:01")]
    [InlineData(59, "0:59")]
    [InlineData(123, "2:03")]
    [InlineData(3599, "59:59")]
    [InlineData(3600, "1:00:00")]
    [InlineData(3 * 3600 + 62, "3:01:02")]
    public void ClockReadsAsMinutesAndSecondsThenHours(double seconds, string text) =>
        Assert.Equal(text, RunProgress.Clock(TimeSpan.FromSeconds(seconds)));
}
