namespace FastNet.Kernels;

/// <summary>The update rules FastNet implements, each as PyTorch's <c>torch.optim</c> defines it.</summary>
public enum OptimizerKind
{
    /// <summary>θ ← θ − η·g, where g = ∇ + λθ. No state.</summary>
    Sgd,

    /// <summary>
    /// Heavy-ball momentum (torch.optim.SGD, momentum μ, dampening 0): b ← μ·b + g; θ ← θ − η·b. With a constant η this
    /// is seed 001's Δw(t) = −η·∂C/∂w + α·Δw(t−1) with α = μ, since Δw(t) = −η·b(t). State: b.
    /// </summary>
    Momentum,

    /// <summary>SGD with nesterov=True: b ← μ·b + g; θ ← θ − η·(g + μ·b). State: b.</summary>
    Nesterov,

    /// <summary>Adagrad (lr_decay 0, initial accumulator 0): s ← s + g²; θ ← θ − η·g / (√s + ε). State: s.</summary>
    Adagrad,

    /// <summary>RMSprop (no momentum, not centered), α = β2: v ← α·v + (1 − α)·g²; θ ← θ − η·g / (√v + ε). State: v.</summary>
    RmsProp,

    /// <summary>
    /// Adam: m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; m̂ = m/(1 − β1ᵗ); v̂ = v/(1 − β2ᵗ);
    /// θ ← θ − η·m̂/(√v̂ + ε). State: m, v. (The fast paths apply the same rule as
    /// θ ← θ − (η/(1 − β1ᵗ))·m/(√v/√(1 − β2ᵗ) + ε), as torch.optim.Adam does.)
    /// </summary>
    Adam,

    /// <summary>
    /// Nadam (momentum decay ψ = 0.004): μₜ = β1·(1 − ½·0.96^(t·ψ)), Πₜ = Π_{i≤t} μᵢ; m and v as Adam;
    /// m̂ = μₜ₊₁·m/(1 − Πₜ₊₁) + (1 − μₜ)·g/(1 − Πₜ); v̂ = v/(1 − β2ᵗ); θ ← θ − η·m̂/(√v̂ + ε). State: m, v. (The fast
    /// paths apply it as torch.optim.NAdam does: d = √v̂ + ε; θ ← θ − η·(1 − μₜ)/(1 − Πₜ)·g/d − η·μₜ₊₁/(1 − Πₜ₊₁)·m/d.)
    /// </summary>
    Nadam,

    /// <summary>
    /// LARS (You, Gitman, Ginsburg 2017, Algorithm 1), applied per layer by <see cref="IBackend.TrustRatioStep"/>: for
    /// a weight matrix w with gradient ∇ (the weight decay λ is not added to ∇ first), the local learning rate is
    /// ρ = τ·‖w‖/(‖∇‖ + λ‖w‖), with τ the trust coefficient, or ρ = 1 when ‖w‖ or ‖∇‖ is zero;
    /// b ← μ·b + η·ρ·(∇ + λw); w ← w − b. The buffer b holds the step itself (η inside, as in the paper). Biases are
    /// not adapted: ρ = 1 and λ = 0, so b ← μ·b + η·∇. No ε. State: b.
    /// </summary>
    Lars,

    /// <summary>
    /// LAMB (You et al. 2019, Algorithm 2, φ the identity), applied per layer by <see cref="IBackend.TrustRatioStep"/>:
    /// m ← β1·m + (1 − β1)·∇; v ← β2·v + (1 − β2)·∇²; m̂ = m/(1 − β1ᵗ); v̂ = v/(1 − β2ᵗ); r = m̂/(√v̂ + ε);
    /// u = r + λw (decoupled weight decay); w ← w − η·ρ·u with the trust ratio ρ = ‖w‖/‖u‖, or ρ = 1 when ‖w‖ or ‖u‖ is
    /// zero. Biases are not adapted: ρ = 1 and λ = 0, an Adam step. State: m, v.
    /// </summary>
    Lamb,
}

/// <summary>
/// Everything one optimizer step needs besides the buffers: the step number t and the hyperparameters, from which the
/// reference computes each rule as <see cref="OptimizerKind"/> writes it, and the per-step coefficients the fast paths
/// use instead (bias corrections, Nadam's momentum schedule), computed once on the host in float64 so every fast path
/// applies the same ones. Build it with <see cref="Create"/>.
/// </summary>
public readonly record struct OptimizerStep
{
    /// <summary>Which rule.</summary>
    public OptimizerKind Kind { get; init; }

    /// <summary>t, the 1-based number of this step (0 for a step built by hand, which only the stateless SGD rule
    /// may use).</summary>
    public long StepNumber { get; init; }

    /// <summary>η.</summary>
    public double LearningRate { get; init; }

    /// <summary>μ for <see cref="OptimizerKind.Momentum"/> and <see cref="OptimizerKind.Nesterov"/>.</summary>
    public double Momentum { get; init; }

    /// <summary>β1 (Adam, Nadam).</summary>
    public double Beta1 { get; init; }

    /// <summary>β2 (Adam, Nadam) or α (RMSprop).</summary>
    public double Beta2 { get; init; }

    /// <summary>ε.</summary>
    public double Epsilon { get; init; }

    /// <summary>λ of the L2 penalty: the gradient used is ∇ + λθ (torch.optim's weight_decay).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Adam, for the fast paths: η / (1 − β1ᵗ).</summary>
    public double AdamStepSize { get; init; }

    /// <summary>Adam, for the fast paths: √(1 − β2ᵗ).</summary>
    public double AdamBiasCorrection2Sqrt { get; init; }

    /// <summary>Nadam, for the fast paths: 1 − β2ᵗ.</summary>
    public double NadamBiasCorrection2 { get; init; }

    /// <summary>Nadam, for the fast paths: −η·(1 − μₜ)/(1 − Πₜ), the coefficient of g/d.</summary>
    public double NadamGradCoefficient { get; init; }

    /// <summary>Nadam, for the fast paths: −η·μₜ₊₁/(1 − Πₜ·μₜ₊₁), the coefficient of m/d.</summary>
    public double NadamMomentCoefficient { get; init; }

    /// <summary>LARS: the trust coefficient τ.</summary>
    public double TrustCoefficient { get; init; }

    /// <summary>LAMB: 1 − β1ᵗ.</summary>
    public double LambBiasCorrection1 { get; init; }

    /// <summary>LAMB: 1 − β2ᵗ.</summary>
    public double LambBiasCorrection2 { get; init; }

    /// <summary>True for the rules applied per layer with a trust ratio (<see cref="IBackend.TrustRatioStep"/>)
    /// rather than over the flat buffer.</summary>
    public static bool IsLayerwise(OptimizerKind kind) => kind is OptimizerKind.Lars or OptimizerKind.Lamb;

    /// <summary>Nadam's momentum decay ψ, as in torch.optim.NAdam.</summary>
    public const double NadamMomentumDecay = 0.004;

    /// <summary>
    /// The coefficients of step <paramref name="t"/> (1-based). <paramref name="nadamMuProduct"/> is Πₜ₋₁ on entry
    /// (1 before the first step) and Πₜ on return; it is the only optimizer scalar carried between steps.
    /// </summary>
    public static OptimizerStep Create(OptimizerKind kind, double learningRate, double momentum, double beta1,
        double beta2, double epsilon, double weightDecay, long t, ref double nadamMuProduct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(t, 1);
        var step = new OptimizerStep
        {
            Kind = kind,
            StepNumber = t,
            LearningRate = learningRate,
            Momentum = momentum,
            Beta1 = beta1,
            Beta2 = beta2,
            Epsilon = epsilon,
            WeightDecay = weightDecay,
        };
        switch (kind)
        {
            case OptimizerKind.Adam:
                step = step with
                {
                    AdamStepSize = learningRate / (1 - Math.Pow(beta1, t)),
                    AdamBiasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, t)),
                };
                break;
            case OptimizerKind.Nadam:
                double mu = beta1 * (1 - 0.5 * Math.Pow(0.96, t * NadamMomentumDecay));
                double muNext = beta1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * NadamMomentumDecay));
                nadamMuProduct *= mu;
                step = step with
                {
                    NadamBiasCorrection2 = 1 - Math.Pow(beta2, t),
                    NadamGradCoefficient = -learningRate * (1 - mu) / (1 - nadamMuProduct),
                    NadamMomentCoefficient = -learningRate * muNext / (1 - nadamMuProduct * muNext),
                };
                break;
            case OptimizerKind.Lamb:
                step = step with
                {
                    LambBiasCorrection1 = 1 - Math.Pow(beta1, t),
                    LambBiasCorrection2 = 1 - Math.Pow(beta2, t),
                };
                break;
        }
        return step;
    }

    /// <summary>How many floats of state per parameter the rule keeps (the state buffer holds that many slots of P).</summary>
    public static int StateSlots(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => 0,
        OptimizerKind.Momentum or OptimizerKind.Nesterov or OptimizerKind.Adagrad or OptimizerKind.RmsProp
            or OptimizerKind.Lars => 1,
        OptimizerKind.Adam or OptimizerKind.Nadam or OptimizerKind.Lamb => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimizer"),
    };
}
