using System.Globalization;

namespace FastNet.Training;

/// <summary>How the examples are fed to the optimizer.</summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Examples per step: 1 is per-example SGD (the seeds), the training set's size is
/// full-batch gradient descent, anything between is mini-batch. A last, smaller batch takes the remainder.</param>
/// <param name="Shuffle">Visit the examples in a new seeded order each epoch; otherwise in file order.</param>
/// <param name="Seed">Seeds the shuffling (initialization has its own generator).</param>
public sealed record TrainingOptions(int Epochs, int BatchSize, bool Shuffle, ulong Seed)
{
    /// <summary>The learning-rate schedule; constant by default.</summary>
    public LearningRateSchedule Schedule { get; init; } = new();

    /// <summary>
    /// K, the micro-batches each step's gradient is accumulated from (1: none). A batch of r rows is taken as
    /// consecutive micro-batches of <see cref="MicroBatchSize"/> = ⌈B/K⌉ rows, the last one shorter when they do not
    /// divide r (the epoch's short last batch, or a K that does not divide B), and each micro-batch's mean-loss gradient
    /// is weighted by its rows / r: the step gets the gradient of the mean loss over all r rows, as one batch of r would.
    /// The network's activation buffers then hold ⌈B/K⌉ rows, not B. Steps, and so positions and checkpoints, are
    /// whole batches: training stops and resumes between batches, never inside an accumulation cycle.
    /// </summary>
    public int Accumulate { get; init; } = 1;

    /// <summary>
    /// The linear scaling rule (Goyal et al. 2017): with a base batch b, the learning rate is η·B/b, where B is
    /// <see cref="BatchSize"/> (the rows per step, whatever <see cref="Accumulate"/> is); the schedule and warm-up
    /// then apply to that rate. Null: η as given.
    /// </summary>
    public int? LinearScalingBase { get; init; }

    /// <summary>
    /// The drop rate p of each hidden layer (inverted dropout while training, <see cref="DropoutRates"/>); null or all
    /// zeros: no dropout. The masks are keyed by <see cref="Seed"/>, the global optimizer step, the layer and the
    /// example's row within the whole batch, so K, the ranks and a resume leave them unchanged.
    /// </summary>
    public IReadOnlyList<double>? Dropout { get; init; }

    /// <summary>The dropout the network trains with, or null for none.</summary>
    public DropoutRates? DropoutRates => Dropout is { } rates && rates.Any(p => p > 0)
        ? new DropoutRates(rates, Seed ^ 0xD209_D209_D209_D209UL)
        : null;

    /// <summary><see cref="Dropout"/> as <c>--dropout</c> reads it, or "none".</summary>
    public string DropoutText => DropoutRates is { } d ? d.Text : "none";

    /// <summary>Rows per micro-batch: ⌈B/K⌉, the most rows one forward and backward pass takes.</summary>
    public int MicroBatchSize => (BatchSize + Accumulate - 1) / Accumulate;

    /// <summary>Micro-batches a whole batch is taken as: ⌈B/⌈B/K⌉⌉, which is K where it divides B but may be fewer
    /// (B = 10, K = 7: 5 of 2 rows), since every micro-batch but the last holds ⌈B/K⌉ rows.</summary>
    public int MicroBatchCount => (BatchSize + MicroBatchSize - 1) / MicroBatchSize;

    /// <summary>Rows per forward and backward pass on one of <paramref name="ranks"/> data-parallel ranks, each of which
    /// takes a slice of ⌈B/N⌉ rows of a batch: min(⌈B/K⌉, ⌈B/N⌉); <see cref="MicroBatchSize"/> for one rank.</summary>
    public int MicroBatchSizeOn(int ranks) => Math.Min(MicroBatchSize, (BatchSize + ranks - 1) / Math.Max(1, ranks));

    /// <summary>Whether a rank of <paramref name="ranks"/> sums its slice of a batch, ⌈B/N⌉ rows at most, over more than
    /// one micro-batch, and so needs a network built to accumulate gradients.</summary>
    public bool AccumulatesOn(int ranks) => MicroBatchSizeOn(ranks) < (BatchSize + ranks - 1) / Math.Max(1, ranks);

    /// <summary>The factor the learning rate is multiplied by: B/b with linear scaling, otherwise 1.</summary>
    public double LearningRateScale => LinearScalingBase is int b ? (double)BatchSize / b : 1;

    /// <summary>Optimizer steps in one epoch over <paramref name="trainCount"/> examples: a last, smaller batch is a
    /// step too.</summary>
    public int StepsPerEpoch(int trainCount) => (trainCount + BatchSize - 1) / BatchSize;

    /// <summary>The learning rate of every step of this run over <paramref name="trainCount"/> training examples, for
    /// the network's optimizer clock: <see cref="Schedule"/> at the rate times <see cref="LearningRateScale"/>.</summary>
    public LearningRatePlan LearningRates(int trainCount)
    {
        int steps = StepsPerEpoch(trainCount);
        return new LearningRatePlan(Schedule, LearningRateScale, steps, (long)steps * Epochs);
    }

    /// <summary>"none" or "linear:BASE", as <see cref="ParseLearningRateScaling"/> reads it.</summary>
    public string LearningRateScaling =>
        LinearScalingBase is int b ? string.Create(CultureInfo.InvariantCulture, $"linear:{b}") : "none";

    /// <summary>Parses <c>--lr-scaling</c>: "none", or "linear:BASE" with the base batch BASE the learning rate was
    /// tuned for; returns the base batch, or null for none.</summary>
    public static int? ParseLearningRateScaling(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParseLearningRateScaling(text, out int? linearBase))
        {
            return linearBase;
        }
        throw new FormatException(text.Trim().Equals("linear", StringComparison.OrdinalIgnoreCase)
            ? "--lr-scaling: state the base batch the learning rate is for, e.g. linear:256 (lr × batch / 256)"
            : $"--lr-scaling: unknown scaling {QuotedText.Of(text)}; expected {LearningRateScalingForms}");
    }

    /// <summary>What <see cref="TryParseLearningRateScaling"/> reads, for error messages.</summary>
    public const string LearningRateScalingForms = "none or linear:BASE_BATCH (e.g. linear:256)";

    /// <summary><see cref="ParseLearningRateScaling"/> without the error: false when <paramref name="text"/> is
    /// neither form.</summary>
    public static bool TryParseLearningRateScaling(string text, out int? linearBase)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().ToLowerInvariant().Split(':');
        (bool parsed, linearBase) = parts switch
        {
            ["none"] => (true, null),
            ["linear", string b] when int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out int batch)
                && batch > 0 => (true, batch),
            _ => (false, (int?)null),
        };
        return parsed;
    }

    /// <summary>Throws unless the values make sense.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names its option.</exception>
    public void Validate()
    {
        if (Problem() is SettingProblem problem)
        {
            throw problem.ToException();
        }
    }

    /// <summary>The first value that makes no sense, named by its option; null when all do.</summary>
    public SettingProblem? Problem()
    {
        if (Epochs < 0)
        {
            return new("--epochs", $"expected a non-negative number, got {Epochs}");
        }
        if (BatchSize <= 0)
        {
            return new("--batch", $"expected a positive number, got {BatchSize}");
        }
        if (Accumulate <= 0 || Accumulate > BatchSize)
        {
            return new("--accumulate",
                $"expected a number of micro-batches from 1 to the batch size {BatchSize}, got {Accumulate}");
        }
        if (Dropout is { } rates && !rates.All(p => p >= 0 && p < 1))
        {
            return new("--dropout", "every rate p must satisfy 0 ≤ p < 1, got "
                + string.Join(",", rates.Select(p => p.ToString(CultureInfo.InvariantCulture))));
        }
        if (LinearScalingBase <= 0)
        {
            return new("--lr-scaling", $"expected a positive base batch, got {LinearScalingBase}");
        }
        return null;
    }
}

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="TrainLoss">Mean loss over the epoch's training examples, measured as they were trained on.</param>
/// <param name="TrainAccuracy">Fraction classified correctly while training; NaN for regression.</param>
/// <param name="EvalLoss">Mean loss on the evaluation set after the epoch; NaN without one.</param>
/// <param name="EvalAccuracy">Accuracy on the evaluation set; NaN without one or for regression.</param>
/// <param name="Seconds">Wall time of the epoch's training steps.</param>
/// <param name="Samples">Training examples processed in this run of the epoch.</param>
/// <param name="LearningRate">η of the epoch's last step.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double TrainAccuracy, double EvalLoss,
    double EvalAccuracy, double Seconds, int Samples, double LearningRate = double.NaN)
{
    /// <summary>Training throughput.</summary>
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : double.PositiveInfinity;
}

/// <summary>
/// Where training stands, exactly enough to continue it bit for bit: epochs completed, the next batch of the
/// current epoch, the shuffle generator's state at the start of the current epoch (the epoch's order is drawn from
/// it afresh) and the loss/accuracy sums of the current epoch so far.
/// </summary>
public sealed record TrainingPosition(int Epoch, int Batch, (ulong, ulong, ulong, ulong) ShuffleState,
    double LossSum, double Correct);
