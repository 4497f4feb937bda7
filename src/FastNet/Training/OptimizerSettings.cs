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
    public OptimizerSettings WithDefaults()
    {
        var settings = this with
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
        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        Check(LearningRate > 0, "--lr", "a positive learning rate", LearningRate);
        Check(Momentum is >= 0 and < 1, "--momentum", "a value in [0, 1)", Momentum);
        Check(Beta1 is >= 0 and < 1, "--beta1", "a value in [0, 1)", Beta1);
        Check(Beta2 is >= 0 and < 1, "--beta2", "a value in [0, 1)", Beta2);
        Check(Epsilon >= 0, "--eps", "a non-negative value", Epsilon);
        Check(WeightDecay >= 0, "--weight-decay", "a non-negative value", WeightDecay);
        if (Momentum > 0 && Kind is not (OptimizerKind.Momentum or OptimizerKind.Nesterov or OptimizerKind.Lars))
        {
            throw new ArgumentException($"--momentum applies to momentum, nesterov and lars, not to {Names.Of(Kind)}");
        }
        if (Kind == OptimizerKind.Lars)
        {
            Check(TrustCoefficient > 0, "--trust-coefficient", "a positive value", TrustCoefficient);
        }
        else if (TrustCoefficient != 0)
        {
            throw new ArgumentException($"--trust-coefficient applies to lars, not to {Names.Of(Kind)}");
        }
    }

    private static void Check(bool ok, string option, string expected, double? value)
    {
        if (!ok)
        {
            throw new ArgumentException($"{option}: expected {expected}, got {value}");
        }
    }
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
