using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Checkpoints;

/// <summary>
/// Everything needed to continue training exactly where it stopped: the model, the loss, the optimizer with its
/// per-parameter state and scalars, the trainer's position and shuffle state, and the settings that shape the
/// batches. Any backend can load any checkpoint: the arrays are plain float32 in the engine's flat layout.
/// </summary>
public sealed record Checkpoint
{
    /// <summary>"exact-fp32": the only math mode so far; recorded so a future fast mode is never mistaken for it.</summary>
    public const string ExactMathMode = "exact-fp32";

    /// <summary>Architecture and parameters.</summary>
    public required Model.Model Model { get; init; }

    /// <summary>The loss trained on.</summary>
    public required LossKind Loss { get; init; }

    /// <summary>Optimizer and hyperparameters (defaults filled in).</summary>
    public required OptimizerSettings Optimizer { get; init; }

    /// <summary>Optimizer steps taken.</summary>
    public required long OptimizerSteps { get; init; }

    /// <summary>Nadam's running momentum product.</summary>
    public required double NadamMuProduct { get; init; }

    /// <summary>The optimizer's per-parameter state ([slots·trainable]).</summary>
    public required float[] OptimizerState { get; init; }

    /// <summary>False when the biases are held fixed.</summary>
    public required bool TrainBiases { get; init; }

    /// <summary>Where training stands.</summary>
    public required TrainingPosition Position { get; init; }

    /// <summary>Batches, epochs, shuffling, seed and schedule of the run.</summary>
    public required TrainingOptions Training { get; init; }

    /// <summary>How the arithmetic was done; <see cref="ExactMathMode"/>.</summary>
    public string MathMode { get; init; } = ExactMathMode;

    /// <summary>SHA-256 (hex) of the training set as trained on (<see cref="Data.DatasetChecksum"/>), so a resumed run
    /// can tell that it continues on the same data; null when not recorded.</summary>
    public string? TrainingDataSha256 { get; init; }

    /// <summary>Early stopping's patience and best model so far; null in files written before it was recorded.</summary>
    public EarlyStoppingState? EarlyStopping { get; init; }

    /// <summary>The loss the divergence guard measured before the run's first step; null before it was measured, or
    /// in files written before it was recorded.</summary>
    public double? DivergenceReference { get; init; }

    /// <summary>The guard's consecutive checks above its limit when the checkpoint was taken.</summary>
    public int DivergenceChecksAbove { get; init; }

    /// <summary>The backend that wrote it (information only).</summary>
    public string Backend { get; init; } = "";

    /// <summary>Captures a running training session.</summary>
    /// <param name="network">The network being trained.</param>
    /// <param name="trainer">Its trainer, for the position.</param>
    /// <param name="training">The run's options.</param>
    /// <param name="metadata">What the saved model records besides its parameters.</param>
    /// <param name="trainingDataSha256">The training data's checksum, or null.</param>
    /// <param name="earlyStopping">Early stopping's state, or null where the caller keeps none.</param>
    public static Checkpoint Capture(TrainingNetwork network, Trainer trainer, TrainingOptions training,
        ModelMetadata? metadata = null, string? trainingDataSha256 = null, EarlyStoppingState? earlyStopping = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(trainer);
        return new Checkpoint
        {
            Model = network.ToModel().WithMetadata(metadata ?? ModelMetadata.None),
            TrainingDataSha256 = trainingDataSha256,
            Loss = network.Loss,
            Optimizer = network.Optimizer.Settings,
            OptimizerSteps = network.Optimizer.Steps,
            NadamMuProduct = network.Optimizer.NadamMuProduct,
            OptimizerState = network.DownloadOptimizerState(),
            TrainBiases = network.TrainableCount == network.Spec.ParameterCount,
            Position = trainer.Position,
            Training = training,
            EarlyStopping = earlyStopping,
            DivergenceReference = trainer.Divergence?.ReferenceLoss,
            DivergenceChecksAbove = trainer.Divergence?.ChecksAbove ?? 0,
            Backend = network.Backend.Name,
        };
    }

    /// <summary>Puts the saved parameters, optimizer state and position into a network and trainer built from
    /// this checkpoint's settings (see <see cref="CreateNetwork"/>), and the divergence guard's reference into the
    /// trainer's guard. Early stopping's state is the caller's to take (<see cref="EarlyStopping"/>).</summary>
    public void Restore(TrainingNetwork network, Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(trainer);
        network.LoadParameters(Model.Parameters);
        network.LoadOptimizerState(OptimizerState);
        network.Optimizer.Steps = OptimizerSteps;
        network.Optimizer.NadamMuProduct = NadamMuProduct;
        trainer.Restore(Position);
        if (DivergenceReference is double reference)
        {
            trainer.Divergence?.Restore(reference, DivergenceChecksAbove);
        }
    }

    /// <summary>A training network on <paramref name="backend"/> shaped as this checkpoint's run, with its learning
    /// rates over <paramref name="trainCount"/> training examples.</summary>
    public TrainingNetwork CreateNetwork(IBackend backend, int trainCount) =>
        new(backend, Model, Loss, Optimizer, Training.MicroBatchSize, TrainBiases,
            accumulates: Training.MicroBatchSize < Training.BatchSize, Training.DropoutRates,
            Training.LearningRates(trainCount));
}
