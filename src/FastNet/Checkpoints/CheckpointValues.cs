using System.Globalization;
using FastNet.Model;

namespace FastNet.Checkpoints;

/// <summary>
/// Refuses a checkpoint holding a NaN or infinity, which a valid checksum does not rule out (training that diverged
/// writes them faithfully): resuming would only spread them. The message names the parameter as the model file does,
/// the optimizer-state slot and index with the parameter it belongs to (the header's numbers are checked as they are
/// read, by <see cref="CheckpointHeader"/>).
/// </summary>
internal static class CheckpointValues
{
    public static void RequireFinite(Checkpoint checkpoint, string source)
    {
        NetworkSpec spec = checkpoint.Model.Spec;
        float[] parameters = checkpoint.Model.Parameters;
        int bad = IndexOfNonFinite(parameters);
        if (bad >= 0)
        {
            throw new CheckpointFormatException(
                $"{source}: {ParameterNames.Of(spec, bad)} is {Text(parameters[bad])}; a checkpoint holds finite values only");
        }
        if (checkpoint.EarlyStopping?.BestParameters is float[] best && IndexOfNonFinite(best) is int at and >= 0)
        {
            throw new CheckpointFormatException($"{source}: early stopping's best {ParameterNames.Of(spec, at)} is "
                + $"{Text(best[at])}; a checkpoint holds finite values only");
        }
        float[] state = checkpoint.OptimizerState;
        bad = IndexOfNonFinite(state);
        if (bad >= 0)
        {
            // Slot-major: slot s of trainable parameter k is at s·trainable + k.
            int trainable = checkpoint.TrainBiases ? spec.ParameterCount : spec.WeightCount;
            int slot = bad / trainable, index = bad % trainable;
            throw new CheckpointFormatException($"{source}: optimizer state slot {slot}, index {index} (for " +
                $"{ParameterNames.Of(spec, index)}) is {Text(state[bad])}; a checkpoint holds finite values only");
        }
    }

    private static int IndexOfNonFinite(float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);
}
