using FastNet.Data;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>
/// How close a regression model's outputs o come to the targets t, over all n rows and k target columns, summed in
/// float64: RMSE = √(Σ (o − t)² / nk), MAE = Σ |o − t| / nk, and R² = 1 − SS_res / SS_tot with
/// SS_res = Σ (t − o)² and SS_tot = Σ (t − t̄_col)², each column centred on its own mean and both sums pooled over
/// the columns (scikit-learn's <c>r2_score</c> with <c>multioutput="variance_weighted"</c>; for one target the
/// usual R²). R² is NaN when the targets are constant (SS_tot = 0).
/// </summary>
public sealed record RegressionMetrics(double Rmse, double Mae, double R2)
{
    /// <summary>The metrics of <paramref name="outputs"/> against <paramref name="targets"/>, both [rows, columns].</summary>
    public static RegressionMetrics Of(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (outputs.Length != targets.Length || targets.Length % columns != 0)
        {
            throw new ArgumentException($"{outputs.Length} outputs and {targets.Length} targets do not form the same rows of {columns}");
        }
        int rows = targets.Length / columns;
        if (rows == 0)
        {
            return new RegressionMetrics(double.NaN, double.NaN, double.NaN);
        }
        double[] mean = new double[columns];
        for (int i = 0; i < targets.Length; i++)
        {
            mean[i % columns] += targets[i];
        }
        for (int c = 0; c < columns; c++)
        {
            mean[c] /= rows;
        }
        double squared = 0, absolute = 0, total = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            double error = (double)outputs[i] - targets[i];
            double spread = targets[i] - mean[i % columns];
            squared += error * error;
            absolute += Math.Abs(error);
            total += spread * spread;
        }
        return new RegressionMetrics(Math.Sqrt(squared / targets.Length), absolute / targets.Length,
            total > 0 ? 1 - squared / total : double.NaN);
    }

    /// <summary>The metrics of <paramref name="network"/>'s current parameters on <paramref name="data"/>, with
    /// forward passes in batches of the network's size. Call it between epochs: it overwrites the activations.</summary>
    public static RegressionMetrics Of(TrainingNetwork network, DeviceDataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        Dataset d = data.Data;
        float[] outputs = new float[d.Count * d.TargetCount];
        for (int first = 0; first < d.Count; first += network.MaxBatch)
        {
            int rows = Math.Min(network.MaxBatch, d.Count - first);
            BufferView output = network.Forward(data.Rows(first, rows), rows);
            network.Backend.Download(output, outputs.AsSpan(first * d.TargetCount, rows * d.TargetCount));
        }
        return Of(outputs, d.Targets, d.TargetCount);
    }
}
