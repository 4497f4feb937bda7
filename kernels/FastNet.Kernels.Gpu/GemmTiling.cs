namespace FastNet.Kernels.Gpu;

/// <summary>The GEMM kernels a <see cref="GpuBackend"/> may use.</summary>
public enum GemmTiling
{
    /// <summary>
    /// Per product, the largest tile of which the product has at least one per multiprocessor: 128×256
    /// (<see cref="Wide"/>, only when <see cref="GemmWideKernels.Fits"/>), then 128×128, else 64×64.
    /// </summary>
    Auto,

    /// <summary>Always <see cref="GemmKernels"/> (64×64 tiles).</summary>
    Small,

    /// <summary>Always <see cref="GemmLargeKernels"/> (128×128 tiles).</summary>
    Large,

    /// <summary>
    /// <see cref="GemmWideKernels"/> (128×256 tiles, 16-byte vectors) for every product whose operands fit its
    /// vectors; the others take the <see cref="Auto"/> choice between 128×128 and 64×64.
    /// </summary>
    Wide,
}
