using System.Numerics;
using FastNet.Kernels.Reference;

namespace FastNet.Kernels.Simd;

/// <summary>
/// The fast CPU backend: the reference's buffers and contract, with every compute op overridden by vectorized,
/// cache-blocked, multithreaded kernels (Vector512 where the CPU has AVX-512, else Vector256, else Vector128, else
/// scalar). Results are the same bits on any thread count and within <see cref="Tolerance"/> of the reference.
/// Like every backend it expects one caller at a time. <see cref="Create(int, VectorWidth)"/> is the one place a
/// width is chosen: it builds the implementation specialized for that vector type.
/// </summary>
public abstract class SimdBackend : ReferenceBackend
{
    /// <summary>Weights of a batch-1 layer's smallest chunk of rows (64 KiB): a layer is split from two chunks' worth
    /// up.</summary>
    public const int PerExampleChunkWeights = 1 << 14;

    /// <summary>The most chunks a batch-1 layer's rows are split into.</summary>
    public const int MaxPerExampleChunks = 16;

    private protected SimdBackend()
    {
    }

    /// <inheritdoc />
    public override string Name => "simd";

    /// <summary>The vector width in use.</summary>
    public abstract VectorWidth Width { get; }

    /// <summary>Threads per op, the caller included.</summary>
    public abstract int Threads { get; }

    /// <summary>Managed bytes this backend's worker threads (not the caller) have allocated since they started, up to
    /// the end of the last op: with the caller's own count, what a step allocates on every thread it runs on.</summary>
    public abstract long WorkerThreadsAllocatedBytes { get; }

    /// <summary>Bytes of native scratch held now: GEMM packing buffers and tiles, batch-1 partial sums. Each grows to
    /// the largest shape seen and is kept, so after a first training step this is what training needs.</summary>
    public abstract long ScratchBytes { get; }

    /// <summary>The most bytes of GEMM scratch each thread holds besides the packed B, whatever the product: its packed
    /// block of A and its micro-tile.</summary>
    public abstract long GemmThreadScratchBytes { get; }

    /// <summary>The most bytes of scratch each thread holds for itself, whatever the layer: the GEMM's
    /// (<see cref="GemmThreadScratchBytes"/>) and the backward sweep's panels of W and X and its micro-tile.</summary>
    public abstract long ThreadScratchBytes { get; }

    /// <summary>Bytes a native scratch array of <paramref name="floats"/> floats holds (with its headroom).</summary>
    public static long ScratchArrayBytes(long floats) => NativeArray.BytesFor(floats);

    /// <summary>
    /// How many chunks of rows a batch-1 (per-example) layer of W [inputs, outputs] is split into: the threads take
    /// whole chunks, and the forward pass sums each chunk on its own and adds the chunks' partial sums in order, so its
    /// bits depend on the shape alone, never on the thread count. One below twice <see cref="PerExampleChunkWeights"/>
    /// weights (waking a worker would cost more than it saves), else a power of two (equal shares for two or four
    /// threads) of at least that many weights each, at most <see cref="MaxPerExampleChunks"/>.
    /// </summary>
    public static int PerExampleRowChunks(int inputs, int outputs)
    {
        long chunks = Math.Min(Math.Min(inputs, MaxPerExampleChunks), (long)inputs * outputs / PerExampleChunkWeights);
        return chunks <= 1 ? 1 : 1 << BitOperations.Log2((uint)chunks);
    }

    /// <summary>
    /// Floats of scratch that a forward pass through this layer at this batch may take besides the GEMM's packing: a
    /// layer below others (not the <paramref name="first"/>) whose plain-SGD backward pass takes the fused sweep (a
    /// small batch and an aliasing W) has its next forward pass split by halves of W's rows, which keeps the second
    /// half's products in a [batch, outputs] buffer; else 0. The same at every vector width (the sweep's conditions
    /// do not depend on it).
    /// </summary>
    public static long DepthHalvesFloats(int batch, int inputs, int outputs, bool first) =>
        !first && BackwardSgdSweep<V1>.Takes(batch, inputs, outputs) ? (long)batch * outputs : 0;

    /// <summary>
    /// Floats of the backward sweep's packed operands for this layer at this batch, each buffer growing to the largest
    /// layer's: dZ in the two layouts its kernels read (DeltaAsA only for a layer with dX) and, for the first layer
    /// (no dX), Xᵀ; all 0 where the layer does not take the sweep. Rows padded to 12, the most any width pads to.
    /// </summary>
    public static (long DeltaAsA, long DeltaAsB, long InputsAsA) SweepFloats(int batch, int inputs, int outputs,
        bool first)
    {
        if (!BackwardSgdSweep<V1>.Takes(batch, inputs, outputs))
        {
            return (0, 0, 0);
        }
        static long Padded(long rows) => (rows + 11) / 12 * 12;
        return (first ? 0 : Padded(batch) * outputs, (long)batch * outputs, first ? Padded(inputs) * batch : 0);
    }

    /// <summary>One thread per processor this process may use (its share of the host under an MPI launcher:
    /// <see cref="Cpu.CpuThreads.Default"/>), the widest vectors available.</summary>
    public static SimdBackend Create() => Create(Cpu.CpuThreads.Default, VectorWidths.Best);

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
