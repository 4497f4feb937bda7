using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Verification;

/// <summary>
/// What <see cref="BackendVerifier"/> holds at once, so <c>fastnet verify</c> can refuse a network that does not fit
/// before the model is drawn: it ran into an out-of-memory crash, with a stack trace, after minutes of allocating.
/// Every array is on the host: the model, the working parameters, the gradient and the optimizer state, each backend's
/// updated parameters and state, and the copies each backend takes of them during the step; and per layer the
/// reference's activations and deltas, with the candidate's. The runtime's own and garbage not yet collected come on top.
/// </summary>
public static class VerifyMemory
{
    private const int FloatBytes = sizeof(float);

    /// <summary>The items of verifying <paramref name="spec"/> with <paramref name="optimizer"/> on batches of
    /// <paramref name="batch"/> rows.</summary>
    public static TrainingMemory For(NetworkSpec spec, OptimizerKind optimizer, int batch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long parameters = spec.ParameterCount;
        long state = checked(OptimizerStep.StateSlots(optimizer) * parameters);
        // rows × units per layer: its input, output and pre-activation, its delta, dropout mask and dX, for both backends
        long rows = checked(spec.Layers.Sum(l => (long)l.Units) + spec.Inputs) * batch;
        return new TrainingMemory(
            Parameters: checked(6 * parameters * FloatBytes), // model, working copy, each backend's upload and result
            Gradients: checked(3 * parameters * FloatBytes), // the gradient and each backend's upload
            OptimizerState: checked(5 * state * FloatBytes), // working copy, each backend's upload and result
            ActivationsAndDeltas: checked(2 * 6 * rows * FloatBytes),
            Batch: 0, Dataset: 0, Scratch: 0, HostModel: 0);
    }
}
