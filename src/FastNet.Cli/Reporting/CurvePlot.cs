using System.Globalization;
using FastNet.Training;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace FastNet.Cli.Reporting;

/// <summary><c>--plot curve.png</c>: loss (left axis, optionally logarithmic) and accuracy (right axis) per epoch,
/// training solid and evaluation dashed; a regression run has no accuracy, so no accuracy axis. Epochs are ticked at
/// whole numbers only.</summary>
internal static class CurvePlot
{
    public const int Width = 900, Height = 500;

    /// <summary>False when the system has no fonts: the picture then has curves but no text (the rendering library
    /// finds fonts itself and fails silently without them).</summary>
    public static bool FontsAvailable => SkiaSharp.SKFontManager.Default.FontFamilyCount > 1;

    /// <summary>Draws the curves and writes them atomically to <paramref name="path"/> as PNG.</summary>
    public static void Save(IReadOnlyList<EpochReport> reports, string evaluationName, string run, string path, bool logLoss = false)
    {
        byte[] png = Build(reports, evaluationName, run, logLoss).GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>The title: what ran, then which curves are which, e.g. "digits: 64-64-10 on simd; train (solid) and
    /// test (dashed) loss and accuracy".</summary>
    public static string Title(string run, string evaluationName, bool hasAccuracy) =>
        $"{run}; train (solid) and {(evaluationName == "val" ? "validation" : evaluationName)} (dashed) loss{(hasAccuracy ? " and accuracy" : "")}";

    /// <summary>The plot, not yet rendered.</summary>
    public static Plot Build(IReadOnlyList<EpochReport> reports, string evaluationName, string run, bool logLoss = false)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var plot = new Plot();
        double[] epochs = [.. reports.Select(r => (double)r.Epoch)];
        Func<double, double> loss = logLoss ? (l => l > 0 ? Math.Log10(l) : double.NaN) : (l => l);
        string eval = evaluationName == "val" ? "validation" : evaluationName;
        AddSeries(plot, epochs, reports.Select(r => loss(r.TrainLoss)), "train loss", Colors.Blue, LinePattern.Solid, right: false);
        AddSeries(plot, epochs, reports.Select(r => loss(r.EvalLoss)), $"{eval} loss", Colors.Blue, LinePattern.Dashed, right: false);
        AddSeries(plot, epochs, reports.Select(r => r.TrainAccuracy), "train accuracy", Colors.OrangeRed, LinePattern.Solid, right: true);
        AddSeries(plot, epochs, reports.Select(r => r.EvalAccuracy), $"{eval} accuracy", Colors.OrangeRed, LinePattern.Dashed, right: true);
        bool hasAccuracy = reports.Any(r => !double.IsNaN(r.TrainAccuracy) || !double.IsNaN(r.EvalAccuracy));
        plot.Title(Title(run, evaluationName, hasAccuracy));
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Left.Label.Text = logLoss ? "loss (log scale)" : "loss";
        if (logLoss)
        {
            plot.Axes.Left.TickGenerator = LogTicks(reports.SelectMany(r => new[] { r.TrainLoss, r.EvalLoss }));
        }
        if (hasAccuracy)
        {
            plot.Axes.Right.Label.Text = "accuracy";
        }
        plot.ShowLegend(Alignment.MiddleRight);
        return plot;
    }

    /// <summary>Ticks for a log10 axis over <paramref name="values"/>: labelled at 1, 2 and 5 times each power of ten
    /// (a loss often spans less than one decade), unlabelled at the other whole multiples.</summary>
    private static NumericManual LogTicks(IEnumerable<double> values)
    {
        double[] positive = [.. values.Where(v => v > 0 && double.IsFinite(v))];
        var ticks = new NumericManual();
        if (positive.Length == 0)
        {
            return ticks;
        }
        int low = (int)Math.Floor(Math.Log10(positive.Min())), high = (int)Math.Ceiling(Math.Log10(positive.Max()));
        for (int power = low; power <= high; power++)
        {
            for (int multiple = 1; multiple <= 9; multiple++)
            {
                double value = multiple * Math.Pow(10, power);
                if (multiple is 1 or 2 or 5)
                {
                    ticks.AddMajor(Math.Log10(value), value.ToString("G3", CultureInfo.InvariantCulture));
                }
                else
                {
                    ticks.AddMinor(Math.Log10(value));
                }
            }
        }
        return ticks;
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
