using System.Text.Json;
using FastNet.Training;

namespace FastNet.Cli.Reporting;

/// <summary>
/// <c>--metrics file.jsonl</c>: one JSON object per epoch, flushed as it is written, so a crash loses at most the
/// epoch in progress. Absent values (accuracy of a regression, an evaluation set that does not exist) are null. A
/// regression run's lines also hold RMSE, MAE and R² (<c>rmse</c>, <c>val_rmse</c>, ...).
/// </summary>
internal sealed class MetricsFile : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly string _evaluationName;

    public MetricsFile(string path, string evaluationName, bool append)
    {
        _writer = new StreamWriter(path, append);
        _evaluationName = evaluationName;
    }

    /// <summary>Writes an epoch's line; <paramref name="regression"/> adds RMSE, MAE and R² to a regression run's.</summary>
    public void Write(EpochReport r, EpochRegression? regression = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", r.Epoch);
            Number(w, "loss", r.TrainLoss);
            Number(w, "accuracy", r.TrainAccuracy);
            Number(w, $"{_evaluationName}_loss", r.EvalLoss);
            Number(w, $"{_evaluationName}_accuracy", r.EvalAccuracy);
            if (regression is not null)
            {
                Scores(w, "", regression.Train);
                Scores(w, $"{_evaluationName}_", regression.Evaluation);
            }
            Number(w, "lr", r.LearningRate);
            Number(w, "seconds", r.Seconds);
            Number(w, "samples_per_second", r.SamplesPerSecond);
            w.WriteEndObject();
        }
        _writer.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        _writer.Flush();
    }

    public void Dispose()
    {
        try
        {
            _writer.Dispose();
        }
        catch (IOException)
        {
            // every line is flushed as written, so only a line whose failure was reported then can be left over
        }
    }

    private static void Scores(Utf8JsonWriter w, string prefix, RegressionMetrics? scores)
    {
        Number(w, prefix + "rmse", scores?.Rmse ?? double.NaN);
        Number(w, prefix + "mae", scores?.Mae ?? double.NaN);
        Number(w, prefix + "r2", scores?.R2 ?? double.NaN);
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
