using System.CommandLine;
using FastNet.Kernels;

namespace FastNet.Cli.Commands;

/// <summary>The options of <c>fastnet train</c>, declared once.</summary>
internal sealed class TrainOptions
{
    public Option<string> Backend { get; } = new("--backend")
    {
        Description = OptionTexts.Backend,
        DefaultValueFactory = _ => BackendRegistry.Auto,
    };

    /// <summary>The most <c>--threads</c> takes, per core. A thread beyond the cores only takes turns with another, so
    /// more make a run slower, never faster, and 100000 spent minutes starting threads; a few per core still let a
    /// machine with few cores run the kernels split over more threads than it has (as the tests do).</summary>
    public const int ThreadsPerCore = 4;

    public static int MaxThreads => ThreadsPerCore * Environment.ProcessorCount;

    public Option<int?> Threads { get; } = new("--threads")
    {
        Description = $"CPU threads of the simd backend, at most {ThreadsPerCore} per core (the reference runs on one) [default: all cores, {Environment.ProcessorCount} here; under MPI at most the host's cores over its ranks]",
    };

    public Option<string?> Data { get; } = new("--data")
    {
        Description = OptionTexts.DataForms + " [default: digits]",
    };

    public Option<string?> Labels { get; } = new("--labels")
    {
        Description = "with --data x.npy: the labels (integer array) or targets (float array) as a .npy file",
    };

    public Option<string> Scale { get; } = new("--scale")
    {
        Description = "auto (digits /16, images /255, CSV as is), none, unit (divide by the largest value) or standardize",
        DefaultValueFactory = _ => "auto",
    };

    public Option<int> Targets { get; } = new("--targets")
    {
        Description = "the last k CSV columns are real-valued targets (otherwise the last column is a class label: "
            + "numbers, or names such as cat and dog)",
    };

    public Option<int?> Classes { get; } = new("--classes")
    {
        Description = "number of classes of labelled data (labels 0..N-1; default: the largest label + 1)",
    };

    public Option<string?> Layers { get; } = new("--layers")
    {
        Description = "hidden layer sizes, e.g. 128 or 256,128 ('none' for no hidden layer) [default: 64]",
    };

    public Option<string> Activation { get; } = new("--activation")
    {
        Description = "hidden units: sigmoid, tanh, relu, leaky-relu:α (slope α, e.g. leaky-relu:0.01), gelu (exact, "
            + "erf form), gelu-tanh (tanh approximation) or identity",
        DefaultValueFactory = _ => "relu",
    };

    public Option<string?> OutputActivation { get; } = new("--output-activation")
    {
        Description = "output units (default: identity; sigmoid for half-squared-error on class labels)",
    };

    public Option<string?> Loss { get; } = new("--loss")
    {
        Description = "cross-entropy (softmax), half-squared-error or mse (default: cross-entropy for class labels, "
            + "mse for real-valued targets)",
    };

    public Option<string> Optimizer { get; } = new("--optimizer")
    {
        Description = "sgd, momentum, nesterov, adagrad, rmsprop, adam, nadam, lars or lamb",
        DefaultValueFactory = _ => "adam",
    };

    public Option<double?> LearningRate { get; } = new("--lr") { Description = "learning rate (default: torch.optim's; lars 1, lamb 0.001)", CustomParser = DecimalOption.Nullable };

    public Option<double?> Momentum { get; } = new("--momentum") { Description = "momentum, nesterov and lars: mu (default 0.9)", CustomParser = DecimalOption.Nullable };

    public Option<double?> Beta1 { get; } = new("--beta1") { Description = "adam, nadam, lamb: beta1 (default 0.9)", CustomParser = DecimalOption.Nullable };

    public Option<double?> Beta2 { get; } = new("--beta2")
    {
        CustomParser = DecimalOption.Nullable,
        Description = "adam, nadam, lamb: beta2 (default 0.999); rmsprop: alpha (default 0.99)",
    };

    public Option<double?> Epsilon { get; } = new("--eps") { Description = "epsilon (default 1e-10 adagrad, 1e-6 lamb, 1e-8 others)", CustomParser = DecimalOption.Nullable };

    public Option<double> WeightDecay { get; } = new("--weight-decay") { Description = "L2 penalty lambda added to the gradient (lars, lamb: their weight decay, weights only)", CustomParser = DecimalOption.Value };

    public Option<double?> TrustCoefficient { get; } = new("--trust-coefficient")
    {
        CustomParser = DecimalOption.Nullable,
        Description = "lars: trust coefficient of the layer-wise learning rate (default 0.001)",
    };

    public Option<string> Batch { get; } = new("--batch")
    {
        Description = "examples per step: 1 is per-example SGD, 'full' is full-batch gradient descent",
        DefaultValueFactory = _ => "32",
    };

    public Option<int> Accumulate { get; } = new("--accumulate")
    {
        Description = "sum the gradients of K micro-batches of batch/K examples per step (memory scales with batch/K)",
        DefaultValueFactory = _ => 1,
    };

    public Option<string> Dropout { get; } = new("--dropout")
    {
        Description = "drop rate p of hidden units in training (inverted dropout, 0 <= p < 1): one for every hidden layer, "
            + "or one per hidden layer (0.2,0.5); evaluation never drops",
        DefaultValueFactory = _ => "0",
    };

    public Option<string> LearningRateScaling { get; } = new("--lr-scaling")
    {
        Description = "none, or linear:BASE (learning rate x batch / BASE, before the schedule and warm-up)",
        DefaultValueFactory = _ => "none",
    };

    public Option<int> Epochs { get; } = new("--epochs") { Description = "passes over the training set", DefaultValueFactory = _ => 30 };

    public Option<ulong> Seed { get; } = new("--seed") { Description = "seeds initialization, split and shuffling", DefaultValueFactory = _ => 1 };

    public Option<bool> Shuffle { get; } = new("--shuffle")
    {
        Description = "shuffle the examples every epoch (true|false) [default: true]",
        DefaultValueFactory = _ => true,
    };

    public Option<double?> TestFraction { get; } = new("--test-fraction")
    {
        CustomParser = DecimalOption.Nullable,
        Description = "share of examples held out for testing (default 0.2 for the embedded digits, 0 for --data)",
    };

    public Option<string> Initializer { get; } = new("--initializer")
    {
        Description = "initial weights: auto (He for relu, Xavier otherwise), xavier, he, uniform or uniform:R",
        DefaultValueFactory = _ => "auto",
    };

    public Option<bool> NoBiases { get; } = new("--no-biases") { Description = "layers without biases" };

    public Option<bool> FixedBiases { get; } = new("--fixed-biases") { Description = "keep biases at their initial values" };

    public Option<string?> Init { get; } = new("--init") { Description = "start from this model file (JSON, or ONNX: .onnx) instead of random weights" };

    public Option<string?> Save { get; } = new("--save")
    {
        Description = $"write the trained model to this file (JSON; {OptionTexts.FileOnly})",
    };

    public Option<double> ValidationFraction { get; } = new("--validation-fraction")
    {
        CustomParser = DecimalOption.Value,
        Description = "share of the examples held out for validation after every epoch: of all of them where the test "
            + "set is split off too (digits, CSV, NumPy), of the training set where the data has its own test set",
    };

    public Option<string> Header { get; } = new("--header")
    {
        Description = HeaderOption.Description,
        DefaultValueFactory = _ => "auto",
    };

    public Option<int> EarlyStopping { get; } = new("--early-stopping")
    {
        Description = "stop after this many epochs without a lower validation loss, and keep the best model",
    };

    public Option<string> Schedule { get; } = new("--schedule")
    {
        Description = "learning rate: constant, cosine, step:EPOCHS:GAMMA (x GAMMA every EPOCHS epochs) or poly:POWER (x (1 - step/steps)^POWER)",
        DefaultValueFactory = _ => "constant",
    };

    public Option<int> Warmup { get; } = new("--warmup") { Description = "linear learning-rate warm-up over this many steps" };

    public Option<string?> Checkpoint { get; } = new("--checkpoint")
    {
        Description = $"write a checkpoint here after every epoch and on Ctrl-C ({OptionTexts.FileOnly})",
    };

    public Option<string?> Resume { get; } = new("--resume")
    {
        Description = "continue the run saved in this checkpoint (--epochs is the new total)",
    };

    public Option<string?> Metrics { get; } = new("--metrics")
    {
        Description = $"write one JSON object per epoch to this file ({OptionTexts.FileOnly})",
    };

    public Option<string?> Plot { get; } = new("--plot")
    {
        Description = $"draw the loss and accuracy curves to this PNG file ({OptionTexts.FileOnly})",
    };

    public Option<bool> PlotLog { get; } = new("--plot-log") { Description = "--plot draws the loss on a logarithmic axis" };

    public Option<bool> NoProgress { get; } = new("--no-progress") { Description = "no progress bar, even on a terminal" };

    public Option<bool> Mpi { get; } = new("--mpi")
    {
        Description = "train data-parallel as one rank of an MPI job (Open MPI), also when no launcher's environment says so",
    };

    public Option<string> AllReduce { get; } = new("--allreduce")
    {
        Description = "data-parallel runs: how each step's gradient travels between the ranks: flat (one all-reduce after "
            + "the backward pass) or layers (one per layer, started as soon as the backward pass has finished it); the "
            + "results are the same",
        DefaultValueFactory = _ => "flat",
    };

    public IEnumerable<Option> All =>
    [
        Backend, Threads, Data, Labels, Header, Scale, Targets, Classes, Layers, Activation, OutputActivation, Loss, Optimizer, LearningRate, Momentum,
        TrustCoefficient, Beta1,
        Beta2, Epsilon, WeightDecay, Batch, Accumulate, Dropout, LearningRateScaling, Epochs, Seed, Shuffle, TestFraction, ValidationFraction, Initializer,
        NoBiases, FixedBiases, Init, Save, Schedule, Warmup, EarlyStopping, Checkpoint, Resume, Metrics, Plot, PlotLog,
        NoProgress, Mpi, AllReduce,
    ];
}
