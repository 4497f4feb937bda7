using System.Diagnostics;
using FastNet.Kernels;

namespace FastNet.Benchmarking;

/// <summary>One kind of op as <see cref="OpTimingBackend"/> counted it: which op on which shape, how often, how long
/// in all, and the floating-point operations of one call (0 where it makes none worth counting).</summary>
public sealed record OpTiming(string Op, long Calls, TimeSpan Time, long FlopsPerCall);

/// <summary>
/// A host backend that times every op it forwards to <paramref name="inner"/>, per kind of op and shape (a layer's
/// forward pass, its backward pass, the loss, a gather, an optimizer step), so a training step's time can be split
/// into its ops. Each op is timed from its call to its return; the buffers, the results and the paths taken are the
/// inner backend's own, so the results are its bits. Device backends, whose ops return before they run, are refused.
/// </summary>
public sealed class OpTimingBackend(IBackend inner) : IBackend, ITimedCalls
{
    private readonly IBackend _inner = inner is IDeviceCounters
        ? throw new ArgumentException($"{inner.Name}: ops of a device backend run after they return, so they cannot be "
            + "timed one by one", nameof(inner))
        : inner ?? throw new ArgumentNullException(nameof(inner));

    private readonly Dictionary<OpKey, (long Calls, long Ticks)> _ops = [];
    private bool _counting = true;

    /// <summary>Forgets every op counted so far and counts from now on.</summary>
    public void Begin()
    {
        _ops.Clear();
        _counting = true;
    }

    /// <summary>Stops counting: the ops counted so far stay as they are.</summary>
    public void End() => _counting = false;

    /// <summary>The ops counted, the most time first.</summary>
    public IReadOnlyList<OpTiming> Ops => [.. _ops.OrderByDescending(o => o.Value.Ticks)
        .Select(o => new OpTiming(o.Key.Name, o.Value.Calls, Stopwatch.GetElapsedTime(0, o.Value.Ticks), o.Key.Flops))];

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <inheritdoc />
    public FloatBuffer Allocate(int length) => _inner.Allocate(length);

    /// <inheritdoc />
    public IndexBuffer AllocateIndices(int length) => _inner.AllocateIndices(length);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, BufferView destination) => _inner.Upload(source, destination);

    /// <inheritdoc />
    public void UploadIndices(ReadOnlySpan<int> source, IndexBuffer destination) =>
        _inner.UploadIndices(source, destination);

    /// <inheritdoc />
    public void Download(BufferView source, Span<float> destination) => _inner.Download(source, destination);

    /// <inheritdoc />
    public void Synchronize() => _inner.Synchronize();

    /// <inheritdoc />
    public void Fill(float value, BufferView destination)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Fill(value, destination);
        Count(new OpKey(OpKind.Fill, destination.Length), start);
    }

    /// <inheritdoc />
    public void GatherRows(BufferView source, int rowLength, IndexBuffer indices, int first, int rows,
        BufferView destination)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.GatherRows(source, rowLength, indices, first, rows, destination);
        Count(new OpKey(OpKind.Gather, rows, rowLength), start);
    }

    /// <inheritdoc />
    public void DenseForward(BufferView x, BufferView w, BufferView b, int batch, int inputs, int outputs,
        Activation activation, BufferView a, BufferView z = default)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.DenseForward(x, w, b, batch, inputs, outputs, activation, a, z);
        Count(new OpKey(OpKind.Forward, batch, inputs, outputs, Activation: activation), start);
    }

    /// <inheritdoc />
    public void DenseBackward(BufferView x, BufferView w, BufferView a, int batch, int inputs, int outputs,
        Activation activation, BufferView delta, BufferView dW, BufferView db, BufferView dX, BufferView z = default)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.DenseBackward(x, w, a, batch, inputs, outputs, activation, delta, dW, db, dX, z);
        Count(new OpKey(OpKind.Backward, batch, inputs, outputs, !dX.IsEmpty, activation), start);
    }

    /// <inheritdoc />
    public void DenseBackwardSgdStep(BufferView x, BufferView a, int batch, int inputs, int outputs,
        Activation activation, BufferView delta, BufferView dX, in OptimizerStep step, BufferView w, BufferView b,
        BufferView dW, BufferView db, BufferView z = default)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.DenseBackwardSgdStep(x, a, batch, inputs, outputs, activation, delta, dX, step, w, b, dW, db, z);
        Count(new OpKey(OpKind.BackwardSgdStep, batch, inputs, outputs, !dX.IsEmpty, activation), start);
    }

    /// <inheritdoc />
    public bool FusesBackwardSgdStep(int batch, int inputs, int outputs) =>
        _inner.FusesBackwardSgdStep(batch, inputs, outputs);

    /// <inheritdoc />
    public void DenseBackwardSgdStepThenForward(BufferView xPrevious, BufferView delta, in OptimizerStep step,
        BufferView dW, BufferView db, BufferView x, BufferView w, BufferView b, int inputs, int outputs,
        Activation activation, BufferView a, BufferView z = default)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.DenseBackwardSgdStepThenForward(xPrevious, delta, step, dW, db, x, w, b, inputs, outputs, activation, a,
            z);
        Count(new OpKey(OpKind.BackwardSgdStepThenForward, 1, inputs, outputs, Activation: activation), start);
    }

    /// <inheritdoc />
    public void SgdStepThenDenseForward(BufferView dW, in OptimizerStep step, BufferView x, BufferView w, BufferView b,
        int batch, int inputs, int outputs, Activation activation, BufferView a, BufferView z = default)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.SgdStepThenDenseForward(dW, step, x, w, b, batch, inputs, outputs, activation, a, z);
        Count(new OpKey(OpKind.SgdStepThenForward, batch, inputs, outputs, Activation: activation), start);
    }

    /// <inheritdoc />
    public void Loss(BufferView output, BufferView targets, int batch, int outputs, LossKind loss,
        BufferView dOutput, BufferView metrics, int meanOver = 0)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Loss(output, targets, batch, outputs, loss, dOutput, metrics, meanOver);
        Count(new OpKey(OpKind.Loss, batch, outputs, Loss: loss), start);
    }

    /// <inheritdoc />
    public void OptimizerStep(BufferView dParameters, in OptimizerStep step, BufferView parameters, BufferView state)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.OptimizerStep(dParameters, step, parameters, state);
        Count(new OpKey(OpKind.OptimizerStep, parameters.Length, Optimizer: step.Kind), start);
    }

    /// <inheritdoc />
    public void TrustRatioStep(BufferView dParameters, in OptimizerStep step, BufferView parameters, BufferView moment,
        BufferView secondMoment, bool adapt)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.TrustRatioStep(dParameters, step, parameters, moment, secondMoment, adapt);
        Count(new OpKey(OpKind.OptimizerStep, parameters.Length, Optimizer: step.Kind), start);
    }

    /// <inheritdoc />
    public void Dropout(BufferView source, in DropoutMask mask, BufferView destination)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.Dropout(source, mask, destination);
        Count(new OpKey(OpKind.Dropout, source.Length), start);
    }

    /// <inheritdoc />
    public void AccumulateScaled(BufferView source, double scale, BufferView destination)
    {
        long start = Stopwatch.GetTimestamp();
        _inner.AccumulateScaled(source, scale, destination);
        Count(new OpKey(OpKind.Accumulate, source.Length), start);
    }

    /// <summary>Nothing: the inner backend stays its owner's to dispose.</summary>
    public void Dispose()
    {
    }

    private void Count(OpKey op, long start)
    {
        if (!_counting)
        {
            return;
        }
        long ticks = Stopwatch.GetTimestamp() - start;
        _ops.TryGetValue(op, out (long Calls, long Ticks) so);
        _ops[op] = (so.Calls + 1, so.Ticks + ticks);
    }

    private enum OpKind
    {
        Fill,
        Gather,
        Forward,
        Backward,
        BackwardSgdStep,
        BackwardSgdStepThenForward,
        SgdStepThenForward,
        Loss,
        OptimizerStep,
        Dropout,
        Accumulate,
    }

    // an op and its shape (the sizes it takes, in its own order), hashed without building its name on every call
    private readonly record struct OpKey(OpKind Kind, int Batch, int Inputs = 0, int Outputs = 0, bool WithDx = false,
        Activation Activation = default, LossKind Loss = default, OptimizerKind Optimizer = default)
    {
        public string Name => Kind switch
        {
            OpKind.Fill => $"fill {Batch:N0}",
            OpKind.Gather => $"gather {Batch}×{Inputs}",
            OpKind.Forward => $"forward {Shape} {Names.Of(Activation)}",
            OpKind.Backward => $"backward {Shape} {Names.Of(Activation)}{Dx}",
            OpKind.BackwardSgdStep => $"backward and SGD step {Shape} {Names.Of(Activation)}{Dx}",
            OpKind.BackwardSgdStepThenForward => $"backward and SGD step, then forward {Shape} {Names.Of(Activation)}",
            OpKind.SgdStepThenForward => $"SGD step, then forward {Shape} {Names.Of(Activation)}",
            OpKind.Loss => $"loss {Names.Of(Loss)} {Batch}×{Inputs}",
            OpKind.OptimizerStep => $"{Names.Of(Optimizer)} step of {Batch:N0} parameters",
            OpKind.Dropout => $"dropout {Batch:N0}",
            _ => $"accumulate {Batch:N0}",
        };

        // a dense op's products, 2·batch·inputs·outputs floating-point operations each: forward X·W, backward Xᵀ·dZ
        // and dZ·Wᵀ where dX is wanted, the per-example sweep (an outer product, then the next forward pass) two
        public long Flops => Kind switch
        {
            OpKind.Forward or OpKind.SgdStepThenForward => Products(1),
            OpKind.Backward or OpKind.BackwardSgdStep => Products(WithDx ? 2 : 1),
            OpKind.BackwardSgdStepThenForward => Products(2),
            _ => 0,
        };

        private string Shape => $"{Batch}×{Inputs}→{Outputs}";

        private string Dx => WithDx ? " with dX" : "";

        private long Products(int count) => 2L * Batch * Inputs * Outputs * count;
    }
}
