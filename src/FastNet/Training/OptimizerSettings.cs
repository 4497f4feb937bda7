using System.Globalization;
using FastNet.Data;
using FastNet.Kernels;

namespace FastNet.Training;

/// <summary>
/// An optimizer and its hyperparameters. Unset values take torch.optim's defaults for that optimizer, and for LARS and
/// LAMB, which torch.optim lacks, the papers' (<see cref="WithDefaults"/>); the rules themselves are written on
/// <see cref="OptimizerKind"/>.
/// </summary>
public sealed record OptimizerSettings
{
    /// <summary>The rule.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;

    /// <summary>η.</summary>
    public double? LearningRate { get; init; }

    /// <summary>μ (momentum, nesterov).</summary>
    public double? Momentum { get; init; }

    /// <summary>β1 (adam, nadam).</summary>
    public double? Beta1 { get; init; }

    /// <summary>β2 (adam, nadam) or α (rmsprop).</summary>
    public double? Beta2 { get; init; }

    /// <summary>ε (adagrad, rmsprop, adam, nadam).</summary>
    public double? Epsilon { get; init; }

    /// <summary>λ of the L2 penalty added to the gradient (LARS and LAMB: the λ of their rules, weights only).</summary>
    public double WeightDecay { get; init; }

    /// <summary>LARS's trust coefficient τ.</summary>
    public double? TrustCoefficient { get; init; }

    /// <summary>Fills unset values with torch.optim's defaults for <see cref="Kind"/> and checks ranges.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names its option.</exception>
    public OptimizerSettings WithDefaults() =>
        Problem() is SettingProblem problem ? throw problem.ToException() : Filled();

    /// <summary>The first value out of range once the defaults are filled in, named by its option; null when every
    /// value is in range.</summary>
    public SettingProblem? Problem()
    {
        OptimizerSettings s = Filled();
        return OutOfRange(s.LearningRate > 0 && FitsFloat(s.LearningRate), "--lr",
                "a positive learning rate within float's range", s.LearningRate)
            ?? OutOfRange(s.Momentum is >= 0 and < 1, "--momentum", "a value in [0, 1)", s.Momentum)
            ?? OutOfRange(s.Beta1 is >= 0 and < 1, "--beta1", "a value in [0, 1)", s.Beta1)
            ?? OutOfRange(s.Beta2 is >= 0 and < 1, "--beta2", "a value in [0, 1)", s.Beta2)
            // ε keeps the update's denominator √v + ε above 0: at 0, or below float's normal range (which a GPU's
            // flush-to-zero reads as 0), a parameter whose gradients have all been 0 steps by 0/0, NaN
            ?? OutOfRange(s.Epsilon >= SmallestNormalFloat && FitsFloat(s.Epsilon), "--eps",
                $"a value of at least {SmallestNormalFloat:R} (the smallest normal float) within float's range",
                s.Epsilon)
            ?? OutOfRange(s.WeightDecay >= 0 && FitsFloat(s.WeightDecay), "--weight-decay",
                "a non-negative value within float's range", s.WeightDecay)
            ?? (s.Momentum > 0 && Kind is not (OptimizerKind.Momentum or OptimizerKind.Nesterov or OptimizerKind.Lars)
                ? new SettingProblem("--momentum", $"applies to momentum, nesterov and lars, not to {Names.Of(Kind)}")
                : null)
            ?? (Kind == OptimizerKind.Lars
                ? OutOfRange(s.TrustCoefficient > 0 && FitsFloat(s.TrustCoefficient), "--trust-coefficient",
                    "a positive value within float's range", s.TrustCoefficient)
                : s.TrustCoefficient != 0
                    ? new SettingProblem("--trust-coefficient", $"applies to lars, not to {Names.Of(Kind)}")
                    : null);
    }

    /// <summary>For settings taken from a command line (unset values null): the first of β1, β2 and ε given to a
    /// rule that has no use for it, named by its option, as <see cref="Problem"/> names a momentum given to a rule
    /// without one; null when every value given applies. (A checkpoint records all of them filled in, so this is not
    /// asked of it.)</summary>
    public SettingProblem? UnusedSetting()
    {
        bool adamLike = Kind is OptimizerKind.Adam or OptimizerKind.Nadam or OptimizerKind.Lamb;
        return Beta1 is not null && !adamLike
                ? new SettingProblem("--beta1", $"applies to adam, nadam and lamb, not to {Names.Of(Kind)}")
            : Beta2 is not null && !(adamLike || Kind == OptimizerKind.RmsProp)
                ? new SettingProblem("--beta2", $"applies to adam, nadam, lamb and rmsprop (its α), not to {Names.Of(Kind)}")
            : Epsilon is not null && !(adamLike || Kind is OptimizerKind.RmsProp or OptimizerKind.Adagrad)
                ? new SettingProblem("--eps", $"applies to adagrad, rmsprop, adam, nadam and lamb, not to {Names.Of(Kind)}")
            : null;
    }

    private OptimizerSettings Filled() => this with
    {
        LearningRate = LearningRate ?? Kind switch
        {
            OptimizerKind.Adam => 1e-3,
            OptimizerKind.Nadam => 2e-3,
            OptimizerKind.Lamb => 1e-3,
            OptimizerKind.Lars => 1,
            _ => 1e-2,
        },
        Momentum = Momentum ?? (Kind is OptimizerKind.Momentum or OptimizerKind.Nesterov or OptimizerKind.Lars ? 0.9 : 0),
        Beta1 = Beta1 ?? 0.9,
        Beta2 = Beta2 ?? (Kind == OptimizerKind.RmsProp ? 0.99 : 0.999),
        Epsilon = Epsilon ?? Kind switch
        {
            OptimizerKind.Adagrad => 1e-10,
            OptimizerKind.Lamb => 1e-6,
            _ => 1e-8,
        },
        TrustCoefficient = TrustCoefficient ?? (Kind == OptimizerKind.Lars ? 1e-3 : 0),
    };

    // the floor every divisor FastNet takes meets: the smallest normal float (see InputScaling.SmallestDivisor)
    private const float SmallestNormalFloat = InputScaling.SmallestDivisor;

    // the kernels take the settings as floats: a value past float's range would become Infinity there
    private static bool FitsFloat(double? value) => value is double v && float.IsFinite((float)v);

    private static SettingProblem? OutOfRange(bool ok, string option, string expected, double? value) => ok ? null
        : new SettingProblem(option, $"expected {expected}, got {value?.ToString(CultureInfo.InvariantCulture)}");
}

/// <summary>The optimizer's host-side progress: the step count and Nadam's running momentum product, and the
/// learning-rate plan it was made with. The per-parameter state lives on the backend.</summary>
/// <param name="settings">The optimizer; unset values take their defaults.</param>
/// <param name="rates">The learning rate of each step; the base rate throughout when null.</param>
public sealed class OptimizerClock(OptimizerSettings settings, LearningRatePlan? rates = null)
{
    private readonly OptimizerSettings _settings = settings.WithDefaults();

    /// <summary>The settings with defaults filled in.</summary>
    public OptimizerSettings Settings => _settings;

    /// <summary>How η changes with the step.</summary>
    public LearningRatePlan Rates { get; } = rates ?? LearningRatePlan.Constant;

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; set; }

    /// <summary>Nadam's Πₜ (1 before the first step).</summary>
    public double NadamMuProduct { get; set; } = 1;

    /// <summary>η of the most recent step.</summary>
    public double LearningRate { get; private set; }

    /// <summary>Advances to the next step and returns its coefficients.</summary>
    public OptimizerStep Next()
    {
        Steps++;
        LearningRate = Rates.At(_settings.LearningRate!.Value, Steps);
        double mu = NadamMuProduct;
        OptimizerStep step = OptimizerStep.Create(_settings.Kind, LearningRate, _settings.Momentum!.Value,
            _settings.Beta1!.Value, _settings.Beta2!.Value, _settings.Epsilon!.Value, _settings.WeightDecay, Steps,
            ref mu);
        NadamMuProduct = mu;
        return step with { TrustCoefficient = _settings.TrustCoefficient!.Value };
    }
}
