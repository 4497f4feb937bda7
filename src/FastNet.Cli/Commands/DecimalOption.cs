using System.CommandLine.Parsing;
using System.Globalization;

namespace FastNet.Cli.Commands;

/// <summary>
/// Reads the value of a decimal option (<c>--lr</c>, <c>--weight-decay</c>, <c>--divide</c>, <c>--seconds</c>, …) as
/// the README writes numbers: a point before the decimals, an optional exponent, nothing else. System.CommandLine's own
/// reading takes a comma as a thousands separator, so a number with a decimal comma was read as a far larger one
/// (<c>--lr 0,001</c> trained at 1), and it takes Infinity (also <c>1e400</c>), which no option can use. NaN is left to
/// each option's range check, which names the range.
/// </summary>
internal static class DecimalOption
{
    /// <summary>For an <c>Option&lt;double?&gt;</c>'s <c>CustomParser</c>.</summary>
    public static double? Nullable(ArgumentResult result) => Read(result, value => !double.IsInfinity(value));

    /// <summary>For an <c>Option&lt;double&gt;</c>'s <c>CustomParser</c>.</summary>
    public static double Value(ArgumentResult result) => Read(result, value => !double.IsInfinity(value)) ?? 0;

    /// <summary>For an <c>Option&lt;float?&gt;</c>'s <c>CustomParser</c>: not infinite as a float, the type it is used as.</summary>
    public static float? Single(ArgumentResult result) => Read(result, value => !float.IsInfinity((float)value)) is double value
        ? (float)value : null;

    private static double? Read(ArgumentResult result, Func<double, bool> finite)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Tokens.Count == 0)
        {
            return null;
        }
        string text = result.Tokens[^1].Value;
        string option = result.Parent is OptionResult { Option: var o } ? o.Name : "the option";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            result.AddError($"{option}: expected a number such as 0.001 or 1e-3, got {QuotedText.Of(text)}"
                + (text.Contains(',', StringComparison.Ordinal) ? " (decimals follow a point, not a comma)" : ""));
            return null;
        }
        if (!finite(value))
        {
            result.AddError($"{option}: expected a finite number, got {QuotedText.Of(text)}");
            return null;
        }
        return value;
    }
}
