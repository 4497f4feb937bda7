using System.Globalization;
using FastNet.Training;

namespace FastNet.Cli.Reporting;

/// <summary>RMSE, MAE and R² on one line, as <c>train</c> and <c>eval</c> print them.</summary>
internal static class RegressionLine
{
    /// <param name="metrics">The scores.</param>
    /// <param name="prefix">Names the set ("test "), or empty.</param>
    public static string Format(RegressionMetrics metrics, string prefix = "") => string.Create(CultureInfo.InvariantCulture,
        $"{prefix}rmse {metrics.Rmse:G7}  {prefix}mae {metrics.Mae:G7}  {prefix}r2 {metrics.R2:F4}");
}
