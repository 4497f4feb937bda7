using System.Runtime.Intrinsics;

namespace FastNet.Kernels.Simd;

/// <summary>The vector width a <see cref="SimdBackend"/> computes with.</summary>
public enum VectorWidth
{
    /// <summary>One float at a time (no hardware intrinsics).</summary>
    Scalar = 32,

    /// <summary>Vector128: SSE, or AVX without AVX2.</summary>
    Bits128 = 128,

    /// <summary>Vector256: AVX2 and FMA.</summary>
    Bits256 = 256,

    /// <summary>Vector512: AVX-512F.</summary>
    Bits512 = 512,
}

/// <summary>Which widths run in hardware here.</summary>
public static class VectorWidths
{
    /// <summary>The widest width this process can use (it follows <c>DOTNET_EnableAVX512F</c> and friends).</summary>
    public static VectorWidth Best =>
        Vector512.IsHardwareAccelerated ? VectorWidth.Bits512
        : Vector256.IsHardwareAccelerated ? VectorWidth.Bits256
        : Vector128.IsHardwareAccelerated ? VectorWidth.Bits128
        : VectorWidth.Scalar;

    /// <summary>Every width available here, widest first.</summary>
    public static IReadOnlyList<VectorWidth> Available =>
        [.. new[] { VectorWidth.Bits512, VectorWidth.Bits256, VectorWidth.Bits128, VectorWidth.Scalar }
            .Where(w => w <= Best)];
}
