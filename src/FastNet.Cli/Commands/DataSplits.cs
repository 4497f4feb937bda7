using System.CommandLine;
using FastNet.Data;

namespace FastNet.Cli.Commands;

/// <summary>The training, validation and test sets of a run.</summary>
internal sealed record DataSplits(Dataset Train, Dataset? Validation, Dataset? Test)
{
    private const float DigitsScale = 16;
    private const double DigitsTestFraction = 0.2;

    /// <summary>Loads --data (or the embedded digits, scaled to [0, 1]) and splits it with <paramref name="seed"/>.</summary>
    public static DataSplits Load(ParseResult parse, TrainOptions o, ulong seed)
    {
        string? path = parse.GetValue(o.Data);
        Dataset all = path is null
            ? Scaling.Divide(EmbeddedDatasets.Digits(), DigitsScale)
            : CsvLoader.Load(path, new CsvOptions { TargetColumns = parse.GetValue(o.Targets) });
        double testFraction = parse.GetValue(o.TestFraction) ?? (path is null ? DigitsTestFraction : 0);
        double validationFraction = parse.GetValue(o.ValidationFraction);
        if (testFraction is < 0 or >= 1)
        {
            throw new ArgumentException($"--test-fraction: expected a value in [0, 1), got {testFraction}");
        }
        if (validationFraction is < 0 or >= 1)
        {
            throw new ArgumentException($"--validation-fraction: expected a value in [0, 1), got {validationFraction}");
        }
        if (testFraction == 0 && validationFraction == 0)
        {
            return new DataSplits(all, null, null);
        }
        if (testFraction == 0)
        {
            // The splitter always makes a test set: use it as the validation set.
            TrainTestSplit v = DataSplitter.Split(all, validationFraction, seed);
            return new DataSplits(v.Train, v.Test, null);
        }
        TrainTestSplit split = DataSplitter.Split(all, testFraction, seed, validationFraction);
        return new DataSplits(split.Train, split.Validation, split.Test);
    }
}
