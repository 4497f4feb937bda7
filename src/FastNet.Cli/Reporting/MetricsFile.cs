using System.Text.Json;
using FastNet.Training;

namespace FastNet.Cli.Reporting;

/// <summary>
/// <c>--metrics file.jsonl</c>: one JSON object per epoch, flushed as it is written, so a crash loses at most the
/// epoch in progress. Absent values (accuracy of a regression, an evaluation set that does not exist) are null. A
/// regression run's lines also hold RMSE, MAE and R² (<c>rmse</c>, <c>val_rmse</c>, ...). A line that cannot be
/// written whole (a full disk) is cut off again, so the file keeps whole lines only and a resumed run appends to them.
/// </summary>
internal sealed class MetricsFile : IDisposable
{
    private readonly string _path;
    private readonly FileStream _file; // cut back to whole lines on a failed write
    private readonly FileWriteErrors _writes; // the lines, every failure an IOException (EFBIG included)
    private readonly string _evaluationName;
    private long _whole; // the length of the file's whole lines

    public MetricsFile(string path, string evaluationName, bool append)
    {
        _path = path;
        _file = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _whole = _file.CanSeek ? _file.Length : 0;
        _writes = new FileWriteErrors(_file);
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
        stream.WriteByte((byte)'\n');
        try
        {
            _writes.Write(stream.GetBuffer(), 0, (int)stream.Length);
            _whole += stream.Length;
        }
        catch (IOException e)
        {
            TryCutToWholeLines();
            throw new IOException($"--metrics {_path}: cannot write the file ({e.Message})", e);
        }
    }

    public void Dispose() => _writes.Dispose();

    private void TryCutToWholeLines()
    {
        try
        {
            if (_file.CanSeek)
            {
                _file.SetLength(_whole);
            }
        }
        catch (IOException)
        {
            // a device or a pipe keeps what reached it; the error that follows names the file
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
