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

    /// <summary>Throws unless the values make sense.</summary>
    public void Validate()
    {
        if (Epochs < 0)
        {
            throw new ArgumentException($"--epochs: expected a non-negative number, got {Epochs}");
        }
        if (BatchSize <= 0)
        {
            throw new ArgumentException($"--batch: expected a positive number or 'full', got {BatchSize}");
        }
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
    float LossSum, float Correct);
