using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Training;

/// <summary>
/// Applies a layer-wise rule (LARS, LAMB) to a network's flat parameters: each layer's weights are one segment with
/// its own trust ratio, its trained biases another (ratio 1, no weight decay). Segment [offset, offset + n) keeps its
/// state at slot·trainable + offset, the layout of the flat rules.
/// </summary>
public static class LayerwiseStep
{
    /// <summary>
    /// One step of <paramref name="step"/> over the first <paramref name="trainable"/> parameters (all of them, or the
    /// weights only when biases are fixed). gradients, parameters: at least [trainable]; state: [slots·trainable].
    /// </summary>
    public static void Apply(IBackend backend, NetworkSpec spec, int trainable, BufferView gradients,
        in OptimizerStep step, BufferView parameters, BufferView state)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            LayerSpec layer = spec.Layers[l];
            Segment(spec.WeightOffset(l), spec.InputsOf(l) * layer.Units, adapt: true, step);
            if (layer.HasBias && spec.BiasOffset(l) < trainable)
            {
                Segment(spec.BiasOffset(l), layer.Units, adapt: false, step);
            }
        }

        void Segment(int offset, int n, bool adapt, in OptimizerStep step)
        {
            BufferView secondMoment = step.Kind == OptimizerKind.Lamb
                ? state.Slice(trainable + offset, n)
                : BufferView.Empty;
            backend.TrustRatioStep(gradients.Slice(offset, n), step, parameters.Slice(offset, n),
                state.Slice(offset, n), secondMoment, adapt);
        }
    }
}
