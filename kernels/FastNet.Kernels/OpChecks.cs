namespace FastNet.Kernels;

/// <summary>
/// Shape checks shared by every backend, so a wrong call fails the same way, with the operand named, on all of them.
/// They cost a few comparisons per op, never per element.
/// </summary>
public static class OpChecks
{
    /// <summary>Throws unless <paramref name="view"/> holds exactly <paramref name="expected"/> floats.</summary>
    public static void Length(BufferView view, long expected, string operand, string op)
    {
        if (view.Length != expected)
        {
            throw new ArgumentException($"{op}: {operand} has {view.Length} floats, expected {expected}", operand);
        }
    }

    /// <summary>Throws unless the view is empty or holds exactly <paramref name="expected"/> floats.</summary>
    public static void OptionalLength(BufferView view, long expected, string operand, string op)
    {
        if (!view.IsEmpty)
        {
            Length(view, expected, operand, op);
        }
    }

    /// <summary>Checks the operands of <see cref="IBackend.DenseForward"/>.</summary>
    public static void DenseForward(BufferView x, BufferView w, BufferView b, int batch, int inputs, int outputs,
        BufferView a)
    {
        Positive(batch, inputs, outputs, nameof(IBackend.DenseForward));
        Length(x, (long)batch * inputs, nameof(x), nameof(IBackend.DenseForward));
        Length(w, (long)inputs * outputs, nameof(w), nameof(IBackend.DenseForward));
        OptionalLength(b, outputs, nameof(b), nameof(IBackend.DenseForward));
        Length(a, (long)batch * outputs, nameof(a), nameof(IBackend.DenseForward));
    }

    /// <summary>Throws unless z holds [batch, outputs] floats when the activation needs Z, and is empty otherwise.</summary>
    public static void PreActivation(Activation activation, BufferView z, int batch, int outputs, string op)
    {
        if (activation.NeedsPreActivation)
        {
            Length(z, (long)batch * outputs, nameof(z), op);
        }
        else if (!z.IsEmpty)
        {
            throw new ArgumentException($"{op}: z is for activations whose derivative needs Z, not {activation}",
                nameof(z));
        }
    }

    /// <summary>Checks the operands of <see cref="IBackend.Dropout"/>: destination as long as source, which is either
    /// exactly destination (in place) or another buffer.</summary>
    public static void Dropout(BufferView source, BufferView destination)
    {
        Length(destination, source.Length, nameof(destination), nameof(IBackend.Dropout));
        if (source.Buffer is not null && source.Buffer == destination.Buffer && source.Offset != destination.Offset
            && source.Offset < destination.Offset + destination.Length
            && destination.Offset < source.Offset + source.Length)
        {
            throw new ArgumentException("Dropout: destination overlaps source without being it", nameof(destination));
        }
    }

    /// <summary>Checks the operands of <see cref="IBackend.DenseBackward"/>.</summary>
    public static void DenseBackward(BufferView x, BufferView w, BufferView a, int batch, int inputs, int outputs,
        BufferView delta, BufferView dW, BufferView db, BufferView dX)
    {
        const string op = nameof(IBackend.DenseBackward);
        Positive(batch, inputs, outputs, op);
        Length(x, (long)batch * inputs, nameof(x), op);
        Length(w, (long)inputs * outputs, nameof(w), op);
        Length(a, (long)batch * outputs, nameof(a), op);
        Length(delta, (long)batch * outputs, nameof(delta), op);
        Length(dW, (long)inputs * outputs, nameof(dW), op);
        OptionalLength(db, outputs, nameof(db), op);
        OptionalLength(dX, (long)batch * inputs, nameof(dX), op);
    }

    /// <summary>
    /// Checks what <see cref="IBackend.DenseBackwardSgdStep"/> adds to <see cref="DenseBackward"/>'s operands: the rule
    /// is plain SGD, and the biases and their gradient are both present ([outputs]) or both empty.
    /// </summary>
    public static void DenseBackwardSgdStep(in OptimizerStep step, BufferView b, BufferView db, int outputs)
    {
        const string op = nameof(IBackend.DenseBackwardSgdStep);
        if (step.Kind != Kernels.OptimizerKind.Sgd)
        {
            throw new ArgumentException($"{op}: fuses plain SGD only, not {step.Kind}", nameof(step));
        }
        if (b.IsEmpty != db.IsEmpty)
        {
            throw new ArgumentException($"{op}: b and db must both be given or both be empty", nameof(db));
        }
        OptionalLength(b, outputs, nameof(b), op);
    }

    /// <summary>
    /// Checks what <see cref="IBackend.SgdStepThenDenseForward"/> adds to <see cref="DenseForward"/>'s operands: the
    /// rule is plain SGD, and dW is shaped as w.
    /// </summary>
    public static void SgdStepThenDenseForward(in OptimizerStep step, BufferView dW, BufferView w)
    {
        const string op = nameof(IBackend.SgdStepThenDenseForward);
        if (step.Kind != Kernels.OptimizerKind.Sgd)
        {
            throw new ArgumentException($"{op}: fuses plain SGD only, not {step.Kind}", nameof(step));
        }
        Length(dW, w.Length, nameof(dW), op);
    }

    /// <summary>Checks the operands of <see cref="IBackend.Loss"/>; returns the rows the loss's mean is over (meanOver,
    /// or the batch for 0).</summary>
    public static int Loss(BufferView output, BufferView targets, int batch, int outputs, BufferView dOutput,
        BufferView metrics, int meanOver = 0)
    {
        const string op = nameof(IBackend.Loss);
        Positive(batch, 1, outputs, op);
        if (meanOver != 0 && meanOver < batch)
        {
            throw new ArgumentOutOfRangeException(nameof(meanOver),
                $"{op}: the mean over {meanOver} rows cannot hold a batch of {batch}");
        }
        Length(output, (long)batch * outputs, nameof(output), op);
        Length(targets, (long)batch * outputs, nameof(targets), op);
        OptionalLength(dOutput, (long)batch * outputs, nameof(dOutput), op);
        Length(metrics, 2, nameof(metrics), op);
        return meanOver == 0 ? batch : meanOver;
    }

    /// <summary>Checks the operands of <see cref="IBackend.OptimizerStep"/>.</summary>
    public static void OptimizerStep(BufferView dParameters, in OptimizerStep step, BufferView parameters,
        BufferView state)
    {
        const string op = nameof(IBackend.OptimizerStep);
        if (Kernels.OptimizerStep.IsLayerwise(step.Kind))
        {
            throw new ArgumentException(
                $"{op}: {step.Kind} adapts its step per layer; apply it with {nameof(IBackend.TrustRatioStep)}");
        }
        Length(parameters, dParameters.Length, nameof(parameters), op);
        Length(state, (long)Kernels.OptimizerStep.StateSlots(step.Kind) * dParameters.Length, nameof(state), op);
    }

    /// <summary>Checks the operands of <see cref="IBackend.TrustRatioStep"/>.</summary>
    public static void TrustRatioStep(BufferView dParameters, in OptimizerStep step, BufferView parameters,
        BufferView moment, BufferView secondMoment)
    {
        const string op = nameof(IBackend.TrustRatioStep);
        if (!Kernels.OptimizerStep.IsLayerwise(step.Kind))
        {
            throw new ArgumentException($"{op}: {step.Kind} is not a trust-ratio rule; use {nameof(IBackend.OptimizerStep)}");
        }
        Length(parameters, dParameters.Length, nameof(parameters), op);
        Length(moment, dParameters.Length, nameof(moment), op);
        Length(secondMoment, step.Kind == OptimizerKind.Lamb ? dParameters.Length : 0, nameof(secondMoment), op);
    }

    /// <summary>Checks the operands of <see cref="IBackend.GatherRows"/>.</summary>
    public static void GatherRows(BufferView source, int rowLength, IndexBuffer indices, int first, int rows,
        BufferView destination)
    {
        const string op = nameof(IBackend.GatherRows);
        if (rowLength <= 0 || rows < 0 || first < 0 || (long)first + rows > indices.Length
            || source.Length % rowLength != 0)
        {
            throw new ArgumentException(
                $"{op}: rows [{first}, {first}+{rows}) of {indices.Length} indices, row length {rowLength}, "
                + $"source of {source.Length} floats");
        }
        Length(destination, (long)rows * rowLength, nameof(destination), op);
    }

    /// <summary>
    /// Throws unless every row index a <see cref="IBackend.GatherRows"/> call reads lies in [0, sourceRows): one loop
    /// over the indices, on the host, for every backend.
    /// </summary>
    public static void RowIndices(ReadOnlySpan<int> rowIndices, int sourceRows)
    {
        foreach (int row in rowIndices)
        {
            if ((uint)row >= (uint)sourceRows)
            {
                throw new ArgumentOutOfRangeException("indices", $"row index {row} is outside [0, {sourceRows})");
            }
        }
    }

    private static void Positive(int batch, int inputs, int outputs, string op)
    {
        if (batch <= 0 || inputs <= 0 || outputs <= 0)
        {
            throw new ArgumentException(
                $"{op}: sizes must be positive (batch {batch}, inputs {inputs}, outputs {outputs})");
        }
    }
}
