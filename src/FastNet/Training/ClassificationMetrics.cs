namespace FastNet.Training;

/// <summary>
/// Per-class precision, recall and F1 from a confusion matrix (rows: true class, columns: predicted), and their
/// macro averages (unweighted means over the classes). Precision of class k = C[k,k] / Σ_t C[t,k], recall =
/// C[k,k] / Σ_p C[k,p], F1 = 2PR / (P + R); a ratio with a zero denominator (a class never predicted, never present,
/// or P = R = 0) is defined as 0, as scikit-learn does with <c>zero_division=0</c>.
/// </summary>
public sealed class ClassificationMetrics
{
    private readonly long[,] _confusion;

    private ClassificationMetrics(long[,] confusion, double[] precision, double[] recall, double[] f1)
    {
        _confusion = confusion;
        Precision = precision;
        Recall = recall;
        F1 = f1;
    }

    public int Classes => Precision.Count;

    /// <summary>How many examples of class <paramref name="truth"/> were predicted as <paramref name="predicted"/>.</summary>
    public long Count(int truth, int predicted) => _confusion[truth, predicted];

    public IReadOnlyList<double> Precision { get; }

    public IReadOnlyList<double> Recall { get; }

    public IReadOnlyList<double> F1 { get; }

    public double MacroPrecision => Precision.Average();

    public double MacroRecall => Recall.Average();

    public double MacroF1 => F1.Average();

    /// <summary>Counts the pairs of <paramref name="truth"/> and <paramref name="predicted"/> classes in [0, classes).</summary>
    public static ClassificationMetrics Of(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int classes)
    {
        if (truth.Length != predicted.Length)
        {
            throw new ArgumentException($"{truth.Length} true classes but {predicted.Length} predictions");
        }
        long[,] counts = new long[classes, classes];
        for (int i = 0; i < truth.Length; i++)
        {
            counts[truth[i], predicted[i]]++;
        }
        return FromConfusion(counts);
    }

    /// <summary>The metrics of a square confusion matrix.</summary>
    public static ClassificationMetrics FromConfusion(long[,] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int classes = confusion.GetLength(0);
        if (confusion.GetLength(1) != classes || classes == 0)
        {
            throw new ArgumentException($"expected a non-empty square confusion matrix, got {classes}×{confusion.GetLength(1)}");
        }
        double[] precision = new double[classes], recall = new double[classes], f1 = new double[classes];
        for (int k = 0; k < classes; k++)
        {
            long predictedK = 0, actualK = 0;
            for (int j = 0; j < classes; j++)
            {
                predictedK += confusion[j, k];
                actualK += confusion[k, j];
            }
            precision[k] = Ratio(confusion[k, k], predictedK);
            recall[k] = Ratio(confusion[k, k], actualK);
            f1[k] = Ratio(2 * precision[k] * recall[k], precision[k] + recall[k]);
        }
        return new ClassificationMetrics(confusion, precision, recall, f1);
    }

    private static double Ratio(double part, double whole) => whole == 0 ? 0 : part / whole;
}
