namespace FastNet.Kernels.Simd;

/// <summary>
/// A plain-SGD step θ ← θ − η·(g + λθ) of a GEMM's B operand (a layer's W) that the GEMM takes block by block, each
/// block just before it first reads it (<see cref="Gemm{TV}.CanStepB"/>); g is laid out as B. The same arithmetic as
/// <see cref="OptimizerOps.Step{TV}"/>'s plain SGD, so the same bits.
/// </summary>
internal readonly unsafe struct PendingSgdStep(float* gradient, float learningRate, float weightDecay)
{
    /// <summary>g, with B's row stride; null for no step.</summary>
    public float* Gradient { get; } = gradient;

    /// <summary>η.</summary>
    public float LearningRate { get; } = learningRate;

    /// <summary>λ; zero leaves its term out, as the optimizer pass does.</summary>
    public float WeightDecay { get; } = weightDecay;

    /// <summary>False for no step.</summary>
    public bool Enabled => Gradient != null;

    /// <summary>No step.</summary>
    public static PendingSgdStep None => default;
}
