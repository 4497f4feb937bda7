using System.Globalization;
using FastNet.Data;
using FastNet.Kernels;

namespace FastNet.Cli.Commands;

/// <summary>Warns when real-valued training targets lie outside what the output activation can produce: a sigmoid
/// or tanh output then cannot fit them however long it trains, and the loss stalls without another sign.</summary>
internal static class OutputRangeCheck
{
    public static void WarnIfTargetsOutOfRange(Dataset train, Activation output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(error);
        if (train.IsClassification || train.Targets.Length == 0 || Range(output) is not (double low, double high, string range))
        {
            return;
        }
        float min = train.Targets.Min(), max = train.Targets.Max();
        if (min >= low && max <= high)
        {
            return;
        }
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fastnet: warning: {train.Name}: the training targets span [{min:G7}, {max:G7}], but a {Names.Of(output)} "
            + $"output only reaches {range}; use --output-activation identity (with --loss mse) or rescale the targets"));
    }

    // The closed bounds accept targets of exactly 0 and 1 for a sigmoid, which it approaches closely enough to fit.
    private static (double Low, double High, string Range)? Range(Activation output) => output.Kind switch
    {
        ActivationKind.Sigmoid => (0, 1, "(0, 1)"),
        ActivationKind.Tanh => (-1, 1, "(-1, 1)"),
        _ => null,
    };
}
