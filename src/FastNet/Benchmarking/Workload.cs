using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Benchmarking;

/// <summary>A training configuration to time: sizes, units, loss, optimizer and batch.</summary>
/// <param name="Name">What <c>fastnet bench --workload</c> calls it.</param>
/// <param name="Sizes">Layer sizes from input to output, e.g. [784, 1024, 1024, 10].</param>
/// <param name="Hidden">Hidden-unit activation.</param>
/// <param name="Loss">The loss; the output activation follows from it (sigmoid for half squared error, identity
/// otherwise).</param>
/// <param name="Optimizer">The optimizer (torch.optim defaults).</param>
/// <param name="Batch">Examples per step.</param>
/// <param name="Accumulate">Micro-batches per step (<see cref="TrainingOptions.Accumulate"/>): with K &gt; 1 each step
/// sums the gradients of K micro-batches of ⌈<paramref name="Batch"/>/K⌉ examples, and the per-row buffers hold one
/// micro-batch.</param>
public sealed record Workload(string Name, int[] Sizes, Activation Hidden, LossKind Loss, OptimizerKind Optimizer, int Batch,
    int Accumulate = 1)
{
    /// <summary>The named workloads: those FastNet's performance targets are stated for.</summary>
    public static IReadOnlyList<Workload> Named { get; } =
    [
        new("sigmoid-1024", [784, 1024, 1024, 10], Activation.Sigmoid, LossKind.HalfSquaredError, OptimizerKind.Sgd, 1024),
        new("relu-adam-1024", [784, 1024, 1024, 10], Activation.Relu, LossKind.SoftmaxCrossEntropy, OptimizerKind.Adam, 1024),
        new("sigmoid-64", [784, 1024, 1024, 10], Activation.Sigmoid, LossKind.HalfSquaredError, OptimizerKind.Sgd, 64),
        new("per-example", [784, 128, 10], Activation.Sigmoid, LossKind.HalfSquaredError, OptimizerKind.Sgd, 1),
        new("tanh-64", [784, 256, 10], Activation.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Sgd, 64),
        new("wide-momentum-8192", [1024, 4096, 4096, 4096, 10], Activation.Sigmoid, LossKind.HalfSquaredError, OptimizerKind.Momentum, 8192),
    ];

    /// <summary>The network.</summary>
    public NetworkSpec Spec()
    {
        Activation output = Loss == LossKind.HalfSquaredError ? Activation.Sigmoid : Activation.Identity;
        var layers = Sizes.Skip(1).Select((units, i) => new LayerSpec(units, i == Sizes.Length - 2 ? output : Hidden));
        return new NetworkSpec(Sizes[0], [.. layers]);
    }

    /// <summary>Examples per forward and backward pass: ⌈<see cref="Batch"/>/<see cref="Accumulate"/>⌉.</summary>
    public int MicroBatch => (Batch + Accumulate - 1) / Accumulate;

    /// <summary>Micro-batches a step takes: ⌈<see cref="Batch"/>/<see cref="MicroBatch"/>⌉, fewer than
    /// <see cref="Accumulate"/> where K micro-batches of ⌈B/K⌉ rows would hold more than the batch (B = 10, K = 7: 5).</summary>
    public int MicroBatchCount => (Batch + MicroBatch - 1) / MicroBatch;

    /// <summary>"784-1024-1024-10 sigmoid half-squared-error sgd batch 1024", and with accumulation "… batch 8192 as 4
    /// micro-batches of 2048" (the count the step really takes, with K beside it where that is fewer).</summary>
    public string Describe() =>
        $"{string.Join('-', Sizes)} {Names.Of(Hidden)} {Names.Of(Loss)} {Names.Of(Optimizer)} batch {Batch}"
        + (Accumulate == 1 ? "" : $" as {MicroBatchCount} micro-batches of {(Batch % MicroBatch == 0 ? "" : "up to ")}{MicroBatch}"
            + (MicroBatchCount == Accumulate ? "" : $" (K = {Accumulate} leaves ⌈{Batch}/{Accumulate}⌉ = {MicroBatch} rows each)"));

    /// <summary>This workload taking each step as <paramref name="accumulate"/> micro-batches, named e.g.
    /// "relu-adam-1024/k4" (the name unchanged at K = 1).</summary>
    public Workload Accumulating(int accumulate)
    {
        if (accumulate <= 0 || accumulate > Batch)
        {
            throw new ArgumentException(
                $"--accumulate: expected a number of micro-batches from 1 to the batch size {Batch}, got {accumulate}");
        }
        return this with { Accumulate = accumulate, Name = accumulate == 1 ? Name : $"{Name}/k{accumulate}" };
    }

    /// <summary>Settings of the workload's optimizer.</summary>
    public OptimizerSettings OptimizerSettings() => new OptimizerSettings { Kind = Optimizer }.WithDefaults();
}
