namespace FastNet.Kernels;

/// <summary>
/// The fusable ops of <see cref="IBackend"/> written as compositions of its other ops: the definition a fused version
/// must match bit for bit, and the implementation of every backend that does not fuse.
/// </summary>
public static class ComposedOps
{
    /// <summary><see cref="IBackend.DenseBackwardSgdStep"/> as a backward pass and two optimizer steps.</summary>
    public static void DenseBackwardSgdStep(IBackend backend, BufferView x, BufferView a, int batch, int inputs,
        int outputs, Activation activation, BufferView delta, BufferView dX, in OptimizerStep step, BufferView w,
        BufferView b, BufferView dW, BufferView db, BufferView z = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        OpChecks.DenseBackwardSgdStep(step, b, db, outputs);
        backend.DenseBackward(x, w, a, batch, inputs, outputs, activation, delta, dW, db, dX, z);
        backend.OptimizerStep(dW, step, w, BufferView.Empty);
        if (!b.IsEmpty)
        {
            backend.OptimizerStep(db, step, b, BufferView.Empty);
        }
    }

    /// <summary><see cref="IBackend.DenseBackwardSgdStepThenForward"/> as the earlier example's fused backward step,
    /// then the next example's forward pass.</summary>
    public static void DenseBackwardSgdStepThenForward(IBackend backend, BufferView xPrevious, BufferView delta,
        in OptimizerStep step, BufferView dW, BufferView db, BufferView x, BufferView w, BufferView b, int inputs,
        int outputs, Activation activation, BufferView a, BufferView z = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        backend.DenseBackwardSgdStep(xPrevious, a, 1, inputs, outputs, activation, delta, BufferView.Empty, step, w,
            db.IsEmpty ? BufferView.Empty : b, dW, db, z);
        backend.DenseForward(x, w, b, 1, inputs, outputs, activation, a, z);
    }

    /// <summary><see cref="IBackend.SgdStepThenDenseForward"/> as the weights' optimizer step, then the forward
    /// pass.</summary>
    public static void SgdStepThenDenseForward(IBackend backend, BufferView dW, in OptimizerStep step, BufferView x,
        BufferView w, BufferView b, int batch, int inputs, int outputs, Activation activation, BufferView a,
        BufferView z = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        OpChecks.SgdStepThenDenseForward(step, dW, w);
        backend.OptimizerStep(dW, step, w, BufferView.Empty);
        backend.DenseForward(x, w, b, batch, inputs, outputs, activation, a, z);
    }

    /// <summary><see cref="IBackend.AccumulateScaled"/> as a plain-SGD step with η = −scale: θ − η·g = θ + scale·g.</summary>
    public static void AccumulateScaled(IBackend backend, BufferView source, double scale, BufferView destination)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var step = new OptimizerStep { Kind = OptimizerKind.Sgd, LearningRate = -scale };
        backend.OptimizerStep(source, step, destination, BufferView.Empty);
    }
}
