using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNet.Kernels.Simd;

/// <summary>
/// One float32 vector width. Kernels are written once, generic over this interface, and instantiated for
/// <see cref="V512"/>, <see cref="V256"/>, <see cref="V128"/> and the scalar <see cref="V1"/> (which also serves the
/// tails), so the width variants cannot drift apart. Each implementation is a struct holding a single vector, which the
/// JIT keeps in a register.
/// </summary>
internal unsafe interface IVec<TSelf> where TSelf : unmanaged, IVec<TSelf>
{
    /// <summary>Lanes.</summary>
    static abstract int Count { get; }

    /// <summary>The width this type computes with.</summary>
    static abstract VectorWidth Width { get; }

    /// <summary>Whether this width runs in hardware here.</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TSelf Zero { get; }

    /// <summary>Loads <see cref="Count"/> floats (unaligned).</summary>
    static abstract TSelf Load(float* source);

    /// <summary>Stores <see cref="Count"/> floats (unaligned).</summary>
    static abstract void Store(TSelf value, float* destination);

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TSelf Splat(float value);

    /// <summary>a·b + c, fused where the hardware has FMA (one or two roundings: both are within tolerance).</summary>
    static abstract TSelf MulAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>Lane-wise sum.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);

    /// <summary>Lane-wise difference.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);

    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);

    /// <summary>Lane-wise quotient.</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>Lane-wise square root (correctly rounded).</summary>
    static abstract TSelf Sqrt(TSelf a);

    /// <summary>Lane-wise maximum of two non-NaN values.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>x where x &gt; 0, else +0 (NaN gives 0), as the reference's ReLU.</summary>
    static abstract TSelf Relu(TSelf x);

    /// <summary>1 where a &gt; 0, else 0.</summary>
    static abstract TSelf PositiveIndicator(TSelf a);

    /// <summary>(float)exp((double)x − offset), evaluated in float64 so a large offset costs no accuracy.</summary>
    static abstract TSelf ExpShifted(TSelf x, double offset);

    /// <summary><see cref="ExpShifted(TSelf, double)"/> with each lane's own offset (<see cref="Count"/> of them at
    /// <paramref name="offsets"/>): the same arithmetic lane by lane.</summary>
    static abstract TSelf ExpShifted(TSelf x, double* offsets);

    /// <summary>Lane-wise |a|.</summary>
    static abstract TSelf Abs(TSelf a);

    /// <summary>|magnitude| with the sign of <paramref name="sign"/>, lane by lane.</summary>
    static abstract TSelf CopySign(TSelf magnitude, TSelf sign);

    /// <summary>x restricted to [lo, hi]; a NaN stays NaN.</summary>
    static abstract TSelf Clamp(TSelf x, TSelf lo, TSelf hi);

    /// <summary>The nearest integer, ties to even.</summary>
    static abstract TSelf RoundToEven(TSelf x);

    /// <summary>2^n for integral n in [−126, 127] (a normal float, built from its exponent bits).</summary>
    static abstract TSelf PowerOfTwo(TSelf n);

    /// <summary>Lane-wise a &lt; b ? ifLess : otherwise (a NaN takes otherwise).</summary>
    static abstract TSelf LessThanSelect(TSelf a, TSelf b, TSelf ifLess, TSelf otherwise);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TSelf a);

    /// <summary>
    /// The first <paramref name="count"/> (fewer than <see cref="Count"/>) floats at <paramref name="source"/>, the
    /// other lanes zero; nothing after them is read. This default goes through a zero-padded copy on the stack.
    /// </summary>
    static virtual TSelf LoadFirst(float* source, int count) => PaddedLanes.LoadFirst<TSelf>(source, count);

    /// <summary>Stores the first <paramref name="count"/> lanes (fewer than <see cref="Count"/>) of
    /// <paramref name="value"/>; nothing after them is written. This default goes through a copy on the stack.</summary>
    static virtual void StoreFirst(TSelf value, float* destination, int count) =>
        PaddedLanes.StoreFirst(value, destination, count);

    /// <summary>Whether <see cref="LoadFirst(float*, int)"/> and <see cref="StoreFirst(TSelf, float*, int)"/> are
    /// single masked instructions here (rather than copies through the stack, which cost more than a few scalar
    /// operations).</summary>
    static virtual bool MasksLanes => false;

    /// <summary>
    /// The first <paramref name="count"/> lanes (fewer than <see cref="Count"/>) as a mask for
    /// <see cref="LoadFirst(float*, TSelf)"/> and <see cref="StoreFirst(TSelf, float*, TSelf)"/>, for a loop that loads
    /// or stores the same lanes at every step: the JIT does not hoist the mask that
    /// <see cref="LoadFirst(float*, int)"/> makes out of such a loop (a 10-wide product's loop took 1.17 times as long
    /// with it made at every step, AVX-512 Zen 5). Opaque: where masks are single instructions its set lanes have every
    /// bit set; elsewhere it carries the count to the copies through the stack.
    /// </summary>
    static virtual TSelf FirstLanes(int count) => PaddedLanes.FirstLanes<TSelf>(count);

    /// <summary><see cref="LoadFirst(float*, int)"/> of the lanes <paramref name="firstLanes"/> (from
    /// <see cref="FirstLanes"/>) sets.</summary>
    static virtual TSelf LoadFirst(float* source, TSelf firstLanes) =>
        TSelf.LoadFirst(source, PaddedLanes.CountOf(firstLanes));

    /// <summary><see cref="StoreFirst(TSelf, float*, int)"/> of the lanes <paramref name="firstLanes"/> (from
    /// <see cref="FirstLanes"/>) sets.</summary>
    static virtual void StoreFirst(TSelf value, float* destination, TSelf firstLanes) =>
        TSelf.StoreFirst(value, destination, PaddedLanes.CountOf(firstLanes));
}

/// <summary><see cref="IVec{TSelf}.LoadFirst(float*, int)"/> and
/// <see cref="IVec{TSelf}.StoreFirst(TSelf, float*, int)"/> (and their masks) through a copy on the stack, for widths
/// without masked loads and stores.</summary>
internal static unsafe class PaddedLanes
{
    public static TV LoadFirst<TV>(float* source, int count) where TV : unmanaged, IVec<TV>
    {
        float* padded = stackalloc float[TV.Count];
        OptimizerOps.Pad(source, padded, count, TV.Count);
        return TV.Load(padded);
    }

    public static void StoreFirst<TV>(TV value, float* destination, int count) where TV : unmanaged, IVec<TV>
    {
        float* lanes = stackalloc float[TV.Count];
        TV.Store(value, lanes);
        new Span<float>(lanes, count).CopyTo(new Span<float>(destination, count));
    }

    // the count in every lane (exact: fewer lanes than float32's 24-bit significand counts)
    public static TV FirstLanes<TV>(int count) where TV : unmanaged, IVec<TV> => TV.Splat(count);

    // the count a mask from FirstLanes carries
    public static int CountOf<TV>(TV firstLanes) where TV : unmanaged, IVec<TV>
    {
        float* lanes = stackalloc float[TV.Count];
        TV.Store(firstLanes, lanes);
        return (int)lanes[0];
    }
}

/// <summary>One float: the scalar path and every vector loop's tail.</summary>
internal readonly unsafe struct V1(float value) : IVec<V1>
{
    private readonly float _v = value;

    public static int Count => 1;
    public static VectorWidth Width => VectorWidth.Scalar;
    public static bool IsAccelerated => true;
    public static V1 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Load(float* source) => new(*source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V1 value, float* destination) => *destination = value._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Splat(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 MulAdd(V1 a, V1 b, V1 c) => new((a._v * b._v) + c._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 operator +(V1 a, V1 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 operator -(V1 a, V1 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 operator *(V1 a, V1 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 operator /(V1 a, V1 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Sqrt(V1 a) => new(MathF.Sqrt(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Max(V1 a, V1 b) => new(a._v > b._v ? a._v : b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Relu(V1 x) => new(x._v > 0 ? x._v : 0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 PositiveIndicator(V1 a) => new(a._v > 0 ? 1 : 0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 ExpShifted(V1 x, double offset) => new((float)Math.Exp(x._v - offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 ExpShifted(V1 x, double* offsets) => ExpShifted(x, *offsets);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Abs(V1 a) => new(MathF.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 CopySign(V1 magnitude, V1 sign) => new(MathF.CopySign(magnitude._v, sign._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Clamp(V1 x, V1 lo, V1 hi) => new(Math.Clamp(x._v, lo._v, hi._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 RoundToEven(V1 x) => new(MathF.Round(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 PowerOfTwo(V1 n) => new(BitConverter.Int32BitsToSingle(((int)n._v + 127) << 23));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 LessThanSelect(V1 a, V1 b, V1 ifLess, V1 otherwise) => a._v < b._v ? ifLess : otherwise;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V1 a) => a._v;
}

/// <summary>Sixteen floats (AVX-512).</summary>
internal readonly unsafe struct V512(Vector512<float> value) : IVec<V512>
{
    private readonly Vector512<float> _v = value;

    public static int Count => Vector512<float>.Count;
    public static VectorWidth Width => VectorWidth.Bits512;
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;
    public static V512 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Load(float* source) => new(Vector512.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V512 value, float* destination) => value._v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Splat(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 MulAdd(V512 a, V512 b, V512 c) => new(Vector512.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator +(V512 a, V512 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator -(V512 a, V512 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator *(V512 a, V512 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator /(V512 a, V512 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Sqrt(V512 a) => new(Vector512.Sqrt(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Max(V512 a, V512 b) => new(Vector512.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Relu(V512 x) => new(Vector512.ConditionalSelect(Vector512.GreaterThan(x._v, Vector512<float>.Zero), x._v, Vector512<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 PositiveIndicator(V512 a) => new(Vector512.GreaterThan(a._v, Vector512<float>.Zero) & Vector512<float>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Abs(V512 a) => new(Vector512.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 CopySign(V512 magnitude, V512 sign) => new(Vector512.CopySign(magnitude._v, sign._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Clamp(V512 x, V512 lo, V512 hi) => new(Vector512.Clamp(x._v, lo._v, hi._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 RoundToEven(V512 x) => new(Vector512.Round(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 LessThanSelect(V512 a, V512 b, V512 ifLess, V512 otherwise) => new(Vector512.ConditionalSelect(Vector512.LessThan(a._v, b._v), ifLess._v, otherwise._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 PowerOfTwo(V512 n) => new(Vector512.ShiftLeft(Vector512.ConvertToInt32(n._v) + Vector512.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V512 a) => Vector512.Sum(a._v);

    public static bool MasksLanes => Avx512F.IsSupported;

    // under an AVX-512 mask: masked-off lanes are neither read (nor fault) nor written, and load as zero
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 LoadFirst(float* source, int count) => Avx512F.IsSupported
        ? new(Avx512F.MaskLoad(source, Mask(count), Vector512<float>.Zero))
        : PaddedLanes.LoadFirst<V512>(source, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(V512 value, float* destination, int count)
    {
        if (Avx512F.IsSupported)
        {
            Avx512F.MaskStore(destination, Mask(count), value._v);
        }
        else
        {
            PaddedLanes.StoreFirst(value, destination, count);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 FirstLanes(int count) =>
        Avx512F.IsSupported ? new(Mask(count)) : PaddedLanes.FirstLanes<V512>(count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 LoadFirst(float* source, V512 firstLanes) => Avx512F.IsSupported
        ? new(Avx512F.MaskLoad(source, firstLanes._v, Vector512<float>.Zero))
        : PaddedLanes.LoadFirst<V512>(source, PaddedLanes.CountOf(firstLanes));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(V512 value, float* destination, V512 firstLanes)
    {
        if (Avx512F.IsSupported)
        {
            Avx512F.MaskStore(destination, firstLanes._v, value._v);
        }
        else
        {
            PaddedLanes.StoreFirst(value, destination, PaddedLanes.CountOf(firstLanes));
        }
    }

    private static Vector512<float> Mask(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ExpShifted(V512 x, double offset)
    {
        (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(x._v);
        Vector512<double> o = Vector512.Create(offset);
        return new(Vector512.Narrow(Vector512.Exp(lo - o), Vector512.Exp(hi - o)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ExpShifted(V512 x, double* offsets)
    {
        (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(x._v);
        return new(Vector512.Narrow(Vector512.Exp(lo - Vector512.Load(offsets)),
            Vector512.Exp(hi - Vector512.Load(offsets + 8))));
    }
}

/// <summary>Eight floats (AVX2).</summary>
internal readonly unsafe struct V256(Vector256<float> value) : IVec<V256>
{
    private readonly Vector256<float> _v = value;

    public static int Count => Vector256<float>.Count;
    public static VectorWidth Width => VectorWidth.Bits256;
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;
    public static V256 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Load(float* source) => new(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V256 value, float* destination) => value._v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Splat(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 MulAdd(V256 a, V256 b, V256 c) => new(Vector256.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator +(V256 a, V256 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator -(V256 a, V256 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator *(V256 a, V256 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator /(V256 a, V256 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Sqrt(V256 a) => new(Vector256.Sqrt(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Max(V256 a, V256 b) => new(Vector256.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Relu(V256 x) => new(Vector256.ConditionalSelect(Vector256.GreaterThan(x._v, Vector256<float>.Zero), x._v, Vector256<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 PositiveIndicator(V256 a) => new(Vector256.GreaterThan(a._v, Vector256<float>.Zero) & Vector256<float>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Abs(V256 a) => new(Vector256.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 CopySign(V256 magnitude, V256 sign) => new(Vector256.CopySign(magnitude._v, sign._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Clamp(V256 x, V256 lo, V256 hi) => new(Vector256.Clamp(x._v, lo._v, hi._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 RoundToEven(V256 x) => new(Vector256.Round(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 LessThanSelect(V256 a, V256 b, V256 ifLess, V256 otherwise) => new(Vector256.ConditionalSelect(Vector256.LessThan(a._v, b._v), ifLess._v, otherwise._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 PowerOfTwo(V256 n) => new(Vector256.ShiftLeft(Vector256.ConvertToInt32(n._v) + Vector256.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V256 a) => Vector256.Sum(a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ExpShifted(V256 x, double offset)
    {
        (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(x._v);
        Vector256<double> o = Vector256.Create(offset);
        return new(Vector256.Narrow(Vector256.Exp(lo - o), Vector256.Exp(hi - o)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ExpShifted(V256 x, double* offsets)
    {
        (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(x._v);
        return new(Vector256.Narrow(Vector256.Exp(lo - Vector256.Load(offsets)),
            Vector256.Exp(hi - Vector256.Load(offsets + 4))));
    }
}

/// <summary>Four floats (SSE / AVX without AVX2).</summary>
internal readonly unsafe struct V128(Vector128<float> value) : IVec<V128>
{
    private readonly Vector128<float> _v = value;

    public static int Count => Vector128<float>.Count;
    public static VectorWidth Width => VectorWidth.Bits128;
    public static bool IsAccelerated => Vector128.IsHardwareAccelerated;
    public static V128 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Load(float* source) => new(Vector128.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V128 value, float* destination) => value._v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Splat(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 MulAdd(V128 a, V128 b, V128 c) => new(Vector128.MultiplyAddEstimate(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator +(V128 a, V128 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator -(V128 a, V128 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator *(V128 a, V128 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator /(V128 a, V128 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Sqrt(V128 a) => new(Vector128.Sqrt(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Max(V128 a, V128 b) => new(Vector128.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Relu(V128 x) => new(Vector128.ConditionalSelect(Vector128.GreaterThan(x._v, Vector128<float>.Zero), x._v, Vector128<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 PositiveIndicator(V128 a) => new(Vector128.GreaterThan(a._v, Vector128<float>.Zero) & Vector128<float>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Abs(V128 a) => new(Vector128.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 CopySign(V128 magnitude, V128 sign) => new(Vector128.CopySign(magnitude._v, sign._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Clamp(V128 x, V128 lo, V128 hi) => new(Vector128.Clamp(x._v, lo._v, hi._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 RoundToEven(V128 x) => new(Vector128.Round(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 LessThanSelect(V128 a, V128 b, V128 ifLess, V128 otherwise) => new(Vector128.ConditionalSelect(Vector128.LessThan(a._v, b._v), ifLess._v, otherwise._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 PowerOfTwo(V128 n) => new(Vector128.ShiftLeft(Vector128.ConvertToInt32(n._v) + Vector128.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V128 a) => Vector128.Sum(a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ExpShifted(V128 x, double offset)
    {
        (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(x._v);
        Vector128<double> o = Vector128.Create(offset);
        return new(Vector128.Narrow(Vector128.Exp(lo - o), Vector128.Exp(hi - o)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ExpShifted(V128 x, double* offsets)
    {
        (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(x._v);
        return new(Vector128.Narrow(Vector128.Exp(lo - Vector128.Load(offsets)),
            Vector128.Exp(hi - Vector128.Load(offsets + 2))));
    }
}
