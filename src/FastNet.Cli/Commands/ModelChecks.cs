using FastNet.Data;
using FastNet.Model;

namespace FastNet.Cli.Commands;

/// <summary>Checks that a model fits the data it is about to meet, with messages naming the model's source.</summary>
internal static class ModelChecks
{
    public static void MatchData(Model.Model model, Dataset data, string source)
    {
        if (model.Spec.Inputs != data.FeatureCount)
        {
            throw new ModelFormatException(
                $"{source}, field inputs: the model takes {model.Spec.Inputs} inputs, {data.Name} has {data.FeatureCount} features per row");
        }
        if (model.Spec.Outputs != data.TargetCount)
        {
            throw new ModelFormatException(
                $"{source}, field layers[{model.Spec.Layers.Count - 1}].units: the model has {model.Spec.Outputs} outputs, "
                + $"{data.Name} has {data.TargetCount} targets per row");
        }
    }
}
