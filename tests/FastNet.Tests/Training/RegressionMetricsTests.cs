using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

public class RegressionMetricsTests
{
    [Fact]
    public void RmseMaeAndR2MatchAHandComputationOverTwoTargetColumns()
    {
        // Rows (t1, t2): (1, 10), (3, 14); outputs (2, 10), (3, 13). Errors 1, 0, 0, −1.
        float[] targets = [1, 10, 3, 14];
        float[] outputs = [2, 10, 3, 13];

        RegressionMetrics m = RegressionMetrics.Of(outputs, targets, columns: 2);

        // SS_res = 1 + 0 + 0 + 1 = 2 over 4 values; column means 2 and 12 give SS_tot = 1 + 4 + 1 + 4 = 10.
        Assert.Equal(Math.Sqrt(2.0 / 4), m.Rmse, 15);
        Assert.Equal(2.0 / 4, m.Mae, 15);
        Assert.Equal(1 - 2.0 / 10, m.R2, 15);
    }

    [Fact]
    public void PerfectPredictionsHaveZeroErrorAndAnR2OfOne()
    {
        float[] targets = [0.5f, -2, 7];
        RegressionMetrics m = RegressionMetrics.Of(targets, targets, columns: 1);
        Assert.Equal(0, m.Rmse);
        Assert.Equal(0, m.Mae);
        Assert.Equal(1, m.R2);
    }

    [Fact]
    public void R2IsUndefinedForConstantTargets()
    {
        RegressionMetrics m = RegressionMetrics.Of([1, 2], [3, 3], columns: 1);
        Assert.Equal(Math.Sqrt((4.0 + 1) / 2), m.Rmse, 15);
        Assert.True(double.IsNaN(m.R2));
    }
}
