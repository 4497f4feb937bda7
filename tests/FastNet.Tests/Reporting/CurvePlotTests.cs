using FastNet.Cli.Reporting;
using FastNet.Training;
using ScottPlot;
using Xunit;

namespace FastNet.Tests.Reporting;

/// <summary><c>--plot</c>: whole-number epoch ticks, a title that says which curve is which, a log-scale loss axis.</summary>
public class CurvePlotTests
{
    private static readonly EpochReport[] Reports =
    [
        new(1, 2.0, 0.40, 1.5, 0.50, 1, 100, 0.001),
        new(2, 0.5, 0.80, 0.6, 0.75, 1, 100, 0.001),
        new(3, 0.05, 0.95, 0.08, 0.90, 1, 100, 0.001),
    ];

    private static Tick[] Render(Plot plot, IAxis axis)
    {
        plot.GetImageBytes(CurvePlot.Width, CurvePlot.Height, ImageFormat.Png); // ticks are laid out when drawn
        return axis.TickGenerator.Ticks;
    }

    [Fact]
    public void EpochTicksAreWholeNumbers()
    {
        Plot plot = CurvePlot.Build(Reports, "test", "digits: 64-64-10 on simd");
        Tick[] major = [.. Render(plot, plot.Axes.Bottom).Where(t => t.IsMajor)];
        Assert.NotEmpty(major);
        Assert.All(major, t => Assert.Equal(Math.Round(t.Position), t.Position));
        Assert.Contains(major, t => t.Position == 2);
    }

    [Fact]
    public void TheTitleNamesTheTrainAndEvaluationCurves()
    {
        Assert.Equal("digits: 64-64-10 on simd; train (solid) and test (dashed) loss and accuracy",
            CurvePlot.Build(Reports, "test", "digits: 64-64-10 on simd").Axes.Title.Label.Text);
        Assert.Equal("r: 2-8-1 on simd; train (solid) and validation (dashed) loss",
            CurvePlot.Title("r: 2-8-1 on simd", "val", hasAccuracy: false));
    }

    [Fact]
    public void TheLogScaleLossAxisIsTickedAtOneTwoAndFiveTimesPowersOfTen()
    {
        Plot plot = CurvePlot.Build(Reports, "test", "run", logLoss: true);
        Tick[] major = [.. Render(plot, plot.Axes.Left).Where(t => t.IsMajor)];
        Assert.Equal("loss (log scale)", plot.Axes.Left.Label.Text);
        // the losses run from 0.05 to 2
        foreach (string label in new[] { "0.05", "0.1", "0.2", "0.5", "1", "2" })
        {
            Assert.Contains(major, t => t.Label == label && Math.Abs(t.Position - Math.Log10(double.Parse(label, System.Globalization.CultureInfo.InvariantCulture))) < 1e-12);
        }
        Assert.All(major, t => Assert.Matches("^[125](0*|\\.0*)$|^0\\.0*[125]$", t.Label));
        // the curves are drawn in log10 units: the training loss 0.05 of epoch 3 sits at log10(0.05)
        var train = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText == "train loss");
        Assert.Equal(Math.Log10(0.05), train.Data.GetScatterPoints()[2].Y, 12);
    }
}
