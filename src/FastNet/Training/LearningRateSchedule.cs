using System.Globalization;

namespace FastNet.Training;

/// <summary>How the learning rate changes over training.</summary>
public enum ScheduleKind
{
    /// <summary>η throughout.</summary>
    Constant,

    /// <summary>η·γ^⌊epoch / E⌋: multiplied by γ every E epochs.</summary>
    Step,

    /// <summary>η·(1 + cos(π·s / S))/2 for step s of S (0-based): from η down to 0 over the whole run.</summary>
    Cosine,

    /// <summary>η·(1 − s / S)^p for step s of S (0-based): from η down to 0 over the whole run, the decay of the LARS
    /// paper (You, Gitman, Ginsburg 2017, p = 2).</summary>
    Polynomial,
}

/// <summary>
/// The learning rate at every optimizer step: a base schedule, optionally preceded by a linear warm-up that scales
/// it by t / W for the first W steps (t 1-based). Computed on the host in float64 once per step.
/// </summary>
/// <param name="Kind">The base schedule.</param>
/// <param name="StepEpochs">E of <see cref="ScheduleKind.Step"/>.</param>
/// <param name="StepGamma">γ of <see cref="ScheduleKind.Step"/>.</param>
/// <param name="WarmupSteps">W; 0 for none.</param>
/// <param name="Power">p of <see cref="ScheduleKind.Polynomial"/>.</param>
public sealed record LearningRateSchedule(ScheduleKind Kind = ScheduleKind.Constant, int StepEpochs = 0,
    double StepGamma = 1, int WarmupSteps = 0, double Power = 0)
{
    /// <summary>The learning rate of step <paramref name="t"/> (1-based) given the base rate, the steps in one
    /// epoch and the steps in the whole run.</summary>
    public double At(double baseRate, long t, int stepsPerEpoch, long totalSteps)
    {
        long s = t - 1;
        double rate = Kind switch
        {
            ScheduleKind.Step => baseRate * Math.Pow(StepGamma, s / stepsPerEpoch / StepEpochs),
            ScheduleKind.Cosine => baseRate * (1 + Math.Cos(Math.PI * Math.Min(s, totalSteps) / Math.Max(totalSteps, 1))) / 2,
            ScheduleKind.Polynomial => baseRate * Math.Pow(1 - (double)Math.Min(s, totalSteps) / Math.Max(totalSteps, 1), Power),
            _ => baseRate,
        };
        return WarmupSteps > 0 && t < WarmupSteps ? rate * t / WarmupSteps : rate;
    }

    /// <summary>Parses "constant", "cosine", "step:E:G" or "poly:P", with <paramref name="warmupSteps"/> added.</summary>
    public static LearningRateSchedule Parse(string text, int warmupSteps)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (warmupSteps < 0)
        {
            throw new ArgumentException($"--warmup: expected a non-negative number of steps, got {warmupSteps}");
        }
        return TryParse(text, warmupSteps)
            ?? throw new FormatException($"--schedule: unknown schedule {QuotedText.Of(text)}; expected {Forms}");
    }

    /// <summary>The forms <see cref="TryParse"/> reads, for error messages.</summary>
    public const string Forms = "constant, cosine, step:EPOCHS:GAMMA (e.g. step:10:0.5) or poly:POWER (e.g. poly:2)";

    /// <summary><see cref="Parse"/> without the error: null when <paramref name="text"/> is none of
    /// <see cref="Forms"/>. <paramref name="warmupSteps"/> must not be negative.</summary>
    public static LearningRateSchedule? TryParse(string text, int warmupSteps)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        string[] parts = text.Trim().ToLowerInvariant().Split(':');
        return parts switch
        {
            ["constant"] => new(ScheduleKind.Constant, WarmupSteps: warmupSteps),
            ["cosine"] => new(ScheduleKind.Cosine, WarmupSteps: warmupSteps),
            ["step", string e, string g]
                when int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out int epochs) && epochs > 0
                && double.TryParse(g, NumberStyles.Float, CultureInfo.InvariantCulture, out double gamma) && gamma > 0
                && double.IsFinite(gamma)
                => new(ScheduleKind.Step, epochs, gamma, warmupSteps),
            ["poly", string p]
                when double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double power) && power > 0
                && double.IsFinite(power)
                => new(ScheduleKind.Polynomial, WarmupSteps: warmupSteps, Power: power),
            _ => null,
        };
    }

    /// <summary>The text <see cref="Parse"/> reads back (without the warm-up).</summary>
    public override string ToString() => Kind switch
    {
        ScheduleKind.Step => string.Create(CultureInfo.InvariantCulture, $"step:{StepEpochs}:{StepGamma:R}"),
        ScheduleKind.Cosine => "cosine",
        ScheduleKind.Polynomial => string.Create(CultureInfo.InvariantCulture, $"poly:{Power:R}"),
        _ => "constant",
    };
}
