namespace FastNet.Kernels;

/// <summary>
/// Losses. The loss of a batch is the mean over its B examples of the per-example loss ℓ (seed 001's C), so
/// ∂L/∂A = (1/B)·∂ℓ/∂A and a batch of one reproduces per-example gradient descent exactly.
/// </summary>
public enum LossKind
{
    /// <summary>ℓ = ½ Σₖ (tₖ − oₖ)² (seeds 000 and 002); ∂ℓ/∂oₖ = oₖ − tₖ.</summary>
    HalfSquaredError,

    /// <summary>ℓ = (1/K) Σₖ (tₖ − oₖ)² (PyTorch's MSELoss); ∂ℓ/∂oₖ = 2(oₖ − tₖ)/K.</summary>
    MeanSquaredError,

    /// <summary>
    /// ℓ = −Σₖ tₖ log softmax(z)ₖ on the logits z of an identity output layer; ∂ℓ/∂zₖ = softmax(z)ₖ − tₖ when
    /// Σₖ tₖ = 1 (one-hot or a probability vector). Softmax is computed with the row maximum subtracted.
    /// </summary>
    SoftmaxCrossEntropy,
}
