namespace FastNet.Kernels;

/// <summary>
/// Which units inverted dropout keeps, drawn by a counter-based generator: the keep bit of an element is a pure
/// function of (seed, step, layer, element), so every backend draws the same mask bit for bit, a run repeats itself,
/// and the backward pass recomputes the mask instead of storing it.
/// <para>
/// The generator is SplitMix64 (Steele, Lea and Flood 2014; Vigna's <c>splitmix64.c</c>). Its finalizer
/// <see cref="Mix64"/> first folds the key into a stream:
/// s = Mix64(seed + γ), s ← Mix64((s ⊕ step) + γ), s ← Mix64((s ⊕ layer) + γ), with γ = 0x9E3779B97F4A7C15.
/// Element e then takes the (e+1)-th output of SplitMix64 seeded with s, bits = Mix64(s + (e+1)·γ), and is kept
/// when its top 24 bits are below <see cref="KeepThreshold"/> = round((1 − p)·2²⁴), computed once in float64. The
/// decision is made in integers only, so no backend's floating-point rounding can flip a bit; the keep rate is
/// 1 − p to within 2⁻²⁵.
/// </para>
/// <para>
/// A kept value is multiplied by <see cref="Scale"/> = float(1/(1 − p)), one float32 product (exactly rounded on
/// every backend), a dropped one is set to 0. With p = 0 every element is kept and the scale is 1: the identity.
/// </para>
/// </summary>
public readonly record struct DropoutMask
{
    /// <summary>SplitMix64's increment γ, the odd integer nearest 2⁶⁴/φ.</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>2²⁴: the keep threshold of p = 0 (every element kept).</summary>
    public const uint ThresholdOne = 1u << 24;

    /// <summary>The stream folded from (seed, step, layer).</summary>
    public ulong Stream { get; init; }

    /// <summary>The element index of the first value the op sees; the op's value i is element FirstElement + i.</summary>
    public long FirstElement { get; init; }

    /// <summary>An element is kept when the top 24 bits of its draw are below this (0..2²⁴).</summary>
    public uint KeepThreshold { get; init; }

    /// <summary>float(1/(1 − p)), the factor kept values are multiplied by.</summary>
    public float Scale { get; init; }

    /// <summary>
    /// The mask of drop rate <paramref name="rate"/> (0 ≤ p &lt; 1) for layer <paramref name="layer"/> at optimizer step
    /// <paramref name="step"/>, whose op starts at element <paramref name="firstElement"/> (for a [batch, units]
    /// activation whose first row is global row r₀ of the step's batch: r₀·units, so that element = row·units + unit).
    /// </summary>
    public static DropoutMask Create(ulong seed, long step, int layer, long firstElement, double rate)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "a drop rate is at least 0 and below 1");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(firstElement);
        return new DropoutMask
        {
            Stream = StreamOf(seed, step, layer),
            FirstElement = firstElement,
            KeepThreshold = (uint)Math.Round((1 - rate) * ThresholdOne),
            Scale = (float)(1 / (1 - rate)),
        };
    }

    /// <summary>The stream of (seed, step, layer): three rounds of <see cref="Mix64"/>.</summary>
    public static ulong StreamOf(ulong seed, long step, int layer)
    {
        ulong s = Mix64(seed + Gamma);
        s = Mix64((s ^ (ulong)step) + Gamma);
        return Mix64((s ^ (ulong)(uint)layer) + Gamma);
    }

    /// <summary>SplitMix64's finalizer (Stafford's Mix13 variant): a bijection of 64-bit integers.</summary>
    public static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The 64 random bits of <paramref name="element"/> in <paramref name="stream"/>: the (element+1)-th
    /// output of SplitMix64 seeded with the stream.</summary>
    public static ulong Bits(ulong stream, long element) => Mix64(stream + ((ulong)element + 1) * Gamma);

    /// <summary>Whether the draw keeps an element: its top 24 bits are below the threshold.</summary>
    public static bool Keeps(ulong bits, uint keepThreshold) => (uint)(bits >> 40) < keepThreshold;

    /// <summary>Whether this mask keeps the op's value <paramref name="index"/>.</summary>
    public bool Keeps(long index) => Keeps(Bits(Stream, FirstElement + index), KeepThreshold);
}
