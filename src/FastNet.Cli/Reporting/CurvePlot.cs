using FastNet.Training;
using ScottPlot;

namespace FastNet.Cli.Reporting;

/// <summary><c>--plot curve.png</c>: loss (left axis) and accuracy (right axis) per epoch, training and evaluation; a
/// regression run has no accuracy, so no accuracy axis.</summary>
internal static class CurvePlot
{
    public const int Width = 900, Height = 500;

    /// <summary>False when the system has no fonts: the picture then has curves but no text (the rendering library
    /// finds fonts itself and fails silently without them).</summary>
    public static bool FontsAvailable => SkiaSharp.SKFontManager.Default.FontFamilyCount > 1;

    public static void Save(IReadOnlyList<EpochReport> reports, string evaluationName, string title, string path)
    {
        var plot = new Plot();
        double[] epochs = [.. reports.Select(r => (double)r.Epoch)];
        AddSeries(plot, epochs, reports.Select(r => r.TrainLoss), "train loss", Colors.Blue, LinePattern.Solid, right: false);
        AddSeries(plot, epochs, reports.Select(r => r.EvalLoss), $"{evaluationName} loss", Colors.Blue, LinePattern.Dashed, right: false);
        AddSeries(plot, epochs, reports.Select(r => r.TrainAccuracy), "train accuracy", Colors.OrangeRed, LinePattern.Solid, right: true);
        AddSeries(plot, epochs, reports.Select(r => r.EvalAccuracy), $"{evaluationName} accuracy", Colors.OrangeRed, LinePattern.Dashed, right: true);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "loss";
        if (reports.Any(r => !double.IsNaN(r.TrainAccuracy) || !double.IsNaN(r.EvalAccuracy)))
        {
            plot.Axes.Right.Label.Text = "accuracy";
        }
        plot.ShowLegend(Alignment.MiddleRight);
        byte[] png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    private static void AddSeries(Plot plot, double[] xs, IEnumerable<double> values, string label, Color color,
        LinePattern pattern, bool right)
    {
        double[] ys = [.. values];
        if (ys.All(double.IsNaN))
        {
            return;
        }
        var line = plot.Add.ScatterLine(xs, ys);
        line.LegendText = label;
        line.Color = color;
        line.LinePattern = pattern;
        line.LineWidth = 2;
        if (right)
        {
            line.Axes.YAxis = plot.Axes.Right;
        }
    }
}
