using System.Globalization;
using FastNet.Data;
using FastNet.Model;

namespace FastNet.Cli.Commands;

/// <summary>
/// How <c>eval</c> and <c>predict</c> prepare inputs for a saved model: the model's recorded data, split and
/// preprocessing apply unless an option says otherwise. An option that only repeats the model is accepted; one
/// that changes the split is printed as an override; one that contradicts the preprocessing the model was trained
/// with is an error naming both, because it would silently produce wrong numbers.
/// </summary>
internal static class ModelInputs
{
    /// <summary>The data to evaluate on: the model's own source and split unless <paramref name="data"/> names
    /// another; the split options override the recorded ones (each override is reported to
    /// <paramref name="note"/>).</summary>
    public static DataRequest Request(ModelSource source, string? data, string? labels, int? targets, double? testFraction,
        ulong? seed, Action<string> note, CsvHeader? header = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        TrainingDataSource? recorded = source.Model.Metadata.Data;
        bool sameData = recorded is not null && (data is null || SameSource(data, recorded.Source));
        // other data is read as the model was trained: a regression model's CSV with its recorded target columns
        string other = data ?? DataRequest.Digits;
        DataRequest request = sameData
            ? DataRequest.From(recorded!)
            : new DataRequest(other, recorded is not null && DataSplits.IsCsv(other) ? recorded.TargetColumns : 0, null, 0, 1);
        if (labels is not null)
        {
            request = request with { Labels = labels };
        }
        if (targets is int k && k != request.Targets)
        {
            NoteOverride(sameData, note, $"--targets {k}", $"{request.Targets} target columns");
            request = request with { Targets = k };
        }
        if (testFraction is double test && test != request.TestFraction)
        {
            NoteOverride(sameData, note, string.Create(CultureInfo.InvariantCulture, $"--test-fraction {test}"),
                string.Create(CultureInfo.InvariantCulture, $"test fraction {request.TestFraction}"));
            request = request with { TestFraction = test };
        }
        if (seed is ulong s && s != request.Seed)
        {
            NoteOverride(sameData, note, $"--seed {s}", $"split seed {request.Seed}");
            request = request with { Seed = s };
        }
        if (header is CsvHeader h && h != request.Header)
        {
            NoteOverride(sameData, note, $"--header {CsvHeaderNames.Of(h)}", $"header {CsvHeaderNames.Of(request.Header)}");
            request = request with { Header = h };
        }
        // Labelled data gets the model's classes, so a test set that lacks a class still lines up with the outputs,
        // and class names are read as the model's classes whatever their order in the file.
        return request.Targets == 0
            ? request with { Classes = source.Model.Spec.Outputs, ClassNames = source.Model.Metadata.ClassNames }
            : request;
    }

    /// <summary>
    /// Where <c>--data</c> was not given and the model's recorded data is read with its recorded split, throws unless
    /// that gives the training set the model records the checksum of: a file changed since training, or a relative
    /// name that now finds another file, would otherwise be scored as the model's own test set.
    /// </summary>
    public static void RequireRecordedTrainingSet(ModelSource source, string? dataOption, DataRequest request, DataSplits splits)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(splits);
        if (dataOption is not null || source.Model.Metadata.Data is not { TrainingSha256: string expected } recorded
            || request.Source != recorded.Source || request.Labels != recorded.Labels
            || request.Targets != recorded.TargetColumns || request.TestFraction != recorded.TestFraction
            || request.ValidationFraction != recorded.ValidationFraction || request.Seed != recorded.Seed
            || request.Header != recorded.Header)
        {
            return;
        }
        string actual = DatasetChecksum.Sha256(splits.Train);
        if (actual != expected)
        {
            throw new DataFormatException(request.Source, $"gives another training set than {source.Path} was trained on "
                + $"(SHA-256 {actual[..12]}…, recorded {expected[..12]}…): the data changed since training, or the name "
                + "now finds another file; give --data to evaluate on it anyway");
        }
    }

    /// <summary>True when <paramref name="file"/> is a data file <paramref name="model"/> records (its features or
    /// labels).</summary>
    public static bool RecordedFile(Model.Model model, string file) =>
        model.Metadata.Data is TrainingDataSource data && (file == data.Source || file == data.Labels);

    /// <summary>The error for a data file named by the record in <paramref name="modelPath"/>, not by the command
    /// line, that cannot be read (moved since training, or trained elsewhere): the same problem, saying where the name
    /// came from, then <paramref name="hint"/>.</summary>
    public static DataFormatException FromRecord(string modelPath, DataFormatException e, string hint)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new DataFormatException(e.File, $"{e.Problem} (the training data {modelPath} records; {hint})", e.Line,
            e.Record, e.Column, e);
    }

    /// <summary>Loads <paramref name="request"/> preprocessed as the model was trained. <paramref name="scale"/> is
    /// the <c>--scale</c> option when given: for a model that records its preprocessing it must produce the same
    /// preprocessing on this data, else it is an error naming both.</summary>
    public static DataSplits Load(ModelSource source, DataRequest request, string? scale, Action<string> note,
        TextWriter? notices = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        InputScaling? recorded = source.Model.Metadata.Scaling;
        if (recorded is null)
        {
            note($"{source.Path} does not record its input preprocessing (a version 1 file): using --scale {scale ?? "auto"}");
            return DataSplits.Load(request, scale ?? "auto", notices: notices);
        }
        if (scale is null)
        {
            return DataSplits.Load(request, "auto", recorded, notices);
        }
        DataSplits fitted = DataSplits.Load(request, scale, notices: notices);
        if (!fitted.Scaling.Equals(recorded))
        {
            throw new ArgumentException($"--scale {scale} gives {fitted.Scaling.Describe()} on {fitted.Train.Name}, "
                + $"but {source.Path} was trained with {recorded.Describe()}; leave --scale out to use the model's");
        }
        return fitted;
    }

    /// <summary>The preprocessing for <c>predict</c>: the model's, or for a file that does not record one, division
    /// by <paramref name="divide"/> (1 when not given). A <c>--divide</c> that differs from the model's is an
    /// error.</summary>
    public static InputScaling ForPrediction(ModelSource source, float? divide)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (divide is float d && !InputScaling.IsDivisor(d))
        {
            throw new ArgumentException($"--divide: expected a positive number, {InputScaling.DivisorExpected}, got "
                + d.ToString("R", CultureInfo.InvariantCulture));
        }
        InputScaling? recorded = source.Model.Metadata.Scaling;
        if (recorded is null)
        {
            return divide is float divisor && divisor != 1 ? new DivideScaling(divisor) : InputScaling.None;
        }
        if (divide is float given && !recorded.Equals(given == 1 ? InputScaling.None : new DivideScaling(given)))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--divide {given} contradicts ")
                + $"{source.Path}, which was trained with {recorded.Describe()} and applies it itself; leave --divide out");
        }
        return recorded;
    }

    // a dataset's name (digits, mnist) in any case, as loading reads it; a file's name as the file system compares it,
    // so STD.csv is not std.csv on Linux
    private static bool SameSource(string data, string recorded) =>
        data == recorded
        || (IsDatasetName(data) && string.Equals(data, recorded, StringComparison.OrdinalIgnoreCase))
        || (File.Exists(data) && File.Exists(recorded) && Path.GetFullPath(data) == Path.GetFullPath(recorded));

    private static bool IsDatasetName(string data) =>
        data.Equals(DataRequest.Digits, StringComparison.OrdinalIgnoreCase) || DatasetCatalog.Find(data) is not null;

    private static void NoteOverride(bool sameData, Action<string> note, string option, string recorded)
    {
        if (sameData)
        {
            note($"{option} overrides the model's recorded {recorded}");
        }
    }
}
