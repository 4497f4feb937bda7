namespace FastNet.Kernels.Simd;

/// <summary>What a GEMM does to each finished tile of C while it is still in L1: nothing, or A = f(C + b).</summary>
internal readonly unsafe struct Epilogue(float* bias, Activation activation, bool enabled)
{
    /// <summary>Bias per column of C, or null.</summary>
    public float* Bias { get; } = bias;

    /// <summary>The activation applied after the bias.</summary>
    public Activation Activation { get; } = activation;

    /// <summary>False for a plain product.</summary>
    public bool Enabled { get; } = enabled;

    /// <summary>No epilogue.</summary>
    public static Epilogue None => default;
}
