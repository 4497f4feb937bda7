namespace FastNet.Training;

/// <summary>How the examples are fed to the optimizer.</summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Examples per step: 1 is per-example SGD (the seeds), the training set's size is
/// full-batch gradient descent, anything between is mini-batch. A last, smaller batch takes the remainder.</param>
/// <param name="Shuffle">Visit the examples in a new seeded order each epoch; otherwise in file order.</param>
/// <param name="Seed">Seeds the shuffling (initialization has its own generator).</param>
public sealed record TrainingOptions(int Epochs, int BatchSize, bool Shuffle, ulong Seed)
{
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
/// <param name="TestLoss">Mean loss on the held-out set after the epoch; NaN without one.</param>
/// <param name="TestAccuracy">Accuracy on the held-out set; NaN without one or for regression.</param>
/// <param name="Seconds">Wall time of the epoch's training steps.</param>
/// <param name="Samples">Training examples processed.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss,
    double TestAccuracy, double Seconds, int Samples)
{
    /// <summary>Training throughput.</summary>
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : double.PositiveInfinity;
}
