using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

public class ClassificationMetricsTests
{
    // Rows: true class, columns: predicted. Class 2 is neither present nor predicted.
    private static readonly long[,] Confusion = { { 5, 1, 0 }, { 2, 3, 0 }, { 0, 0, 0 } };

    [Fact]
    public void PrecisionRecallAndF1MatchAHandComputation()
    {
        ClassificationMetrics m = ClassificationMetrics.FromConfusion(Confusion);

        // Class 0: 5 of 7 predicted 0 are right, 5 of 6 true 0 are found; F1 = 2tp / (2tp + fp + fn) = 10 / 13.
        Assert.Equal(5.0 / 7, m.Precision[0], 15);
        Assert.Equal(5.0 / 6, m.Recall[0], 15);
        Assert.Equal(10.0 / 13, m.F1[0], 14);
        // Class 1: 3 of 4 predicted, 3 of 5 true; F1 = 6 / 9.
        Assert.Equal(3.0 / 4, m.Precision[1], 15);
        Assert.Equal(3.0 / 5, m.Recall[1], 15);
        Assert.Equal(6.0 / 9, m.F1[1], 14);
    }

    [Fact]
    public void AClassNeitherPresentNorPredictedScoresZeroAndCountsInTheMacroAverage()
    {
        ClassificationMetrics m = ClassificationMetrics.FromConfusion(Confusion);

        Assert.Equal(0, m.Precision[2]);
        Assert.Equal(0, m.Recall[2]);
        Assert.Equal(0, m.F1[2]);
        Assert.Equal((5.0 / 7 + 3.0 / 4) / 3, m.MacroPrecision, 15);
        Assert.Equal((5.0 / 6 + 3.0 / 5) / 3, m.MacroRecall, 15);
        Assert.Equal((10.0 / 13 + 6.0 / 9) / 3, m.MacroF1, 14);
    }

    [Fact]
    public void CountingPairsGivesTheConfusionMatrix()
    {
        int[] truth = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
        int[] predicted = [0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1];

        ClassificationMetrics m = ClassificationMetrics.Of(truth, predicted, classes: 3);

        for (int t = 0; t < 3; t++)
        {
            for (int p = 0; p < 3; p++)
            {
                Assert.Equal(Confusion[t, p], m.Count(t, p));
            }
        }
    }
}
