using FastNet.Kernels.Reference;

namespace FastNet.Kernels.Simd;

/// <summary>
/// The fast CPU backend: the reference's buffers and contract, with every compute op overridden by vectorized,
/// cache-blocked, multithreaded kernels (Vector512 where the CPU has AVX-512, else Vector256, else Vector128, else
/// scalar). Results are deterministic for a given thread count and within <see cref="Tolerance"/> of the reference.
/// Like every backend it expects one caller at a time. <see cref="Create(int, VectorWidth)"/> is the one place a
/// width is chosen: it builds the implementation specialized for that vector type.
/// </summary>
public abstract class SimdBackend : ReferenceBackend
{
    private protected SimdBackend()
    {
    }

    /// <inheritdoc />
    public override string Name => "simd";

    /// <summary>The vector width in use.</summary>
    public abstract VectorWidth Width { get; }

    /// <summary>Threads per op, the caller included.</summary>
    public abstract int Threads { get; }

    /// <summary>Bytes of native scratch held now: GEMM packing buffers and tiles, batch-1 partial sums. Each grows to
    /// the largest shape seen and is kept, so after a first training step this is what training needs.</summary>
    public abstract long ScratchBytes { get; }

    /// <summary>One thread per processor, the widest vectors available.</summary>
    public static SimdBackend Create() => Create(Environment.ProcessorCount, VectorWidths.Best);

    /// <summary>
    /// <paramref name="threads"/> threads (the caller and threads − 1 persistent workers) computing with
    /// <paramref name="width"/>, which must be available here (see <see cref="VectorWidths.Available"/>).
    /// </summary>
    public static SimdBackend Create(int threads, VectorWidth width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (width > VectorWidths.Best || !Enum.IsDefined(width))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"widest available here: {VectorWidths.Best}");
        }
        return width switch
        {
            VectorWidth.Bits512 => new SimdBackend<V512>(threads),
            VectorWidth.Bits256 => new SimdBackend<V256>(threads),
            VectorWidth.Bits128 => new SimdBackend<V128>(threads),
            _ => new SimdBackend<V1>(threads),
        };
    }
}
