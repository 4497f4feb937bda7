using System.Globalization;
using FastNet.Training;

namespace FastNet.Cli.Reporting;

/// <summary>The one-line summary printed after every epoch.</summary>
internal static class EpochLine
{
    /// <param name="report">The epoch.</param>
    /// <param name="epochs">Total epochs, for the "3/30" counter.</param>
    /// <param name="evaluationName">"val" or "test": what the evaluation set is.</param>
    public static string Format(EpochReport report, int epochs, string evaluationName)
    {
        var c = CultureInfo.InvariantCulture;
        string counter = report.Epoch.ToString(c).PadLeft(epochs.ToString(c).Length);
        var line = string.Create(c, $"epoch {counter}/{epochs}  loss {report.TrainLoss:G7}");
        if (!double.IsNaN(report.TrainAccuracy))
        {
            line += string.Create(c, $"  accuracy {report.TrainAccuracy:F4}");
        }
        if (!double.IsNaN(report.EvalLoss))
        {
            line += string.Create(c, $"  {evaluationName} loss {report.EvalLoss:G7}");
        }
        if (!double.IsNaN(report.EvalAccuracy))
        {
            line += string.Create(c, $"  {evaluationName} accuracy {report.EvalAccuracy:F4}");
        }
        return line + string.Create(c, $"  {report.SamplesPerSecond:N0} samples/s");
    }
}
