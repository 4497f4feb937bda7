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

    /// <summary>e^x in float32, within 2 ulp (.NET's Vector512.Exp: at most 1.77 ulp over 2·10⁶ samples in
    /// (−88, 88) on an AVX-512 machine).</summary>
    static abstract TSelf Exp(TSelf x);

    /// <summary>tanh x, evaluated in float64 and rounded once.</summary>
    static abstract TSelf Tanh(TSelf x);

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

    /// <summary>Whether <see cref="LoadFirst"/> and <see cref="StoreFirst"/> are single masked instructions here
    /// (rather than copies through the stack, which cost more than a few scalar operations).</summary>
    static virtual bool MasksLanes => false;
}

/// <summary><see cref="IVec{TSelf}.LoadFirst"/> and <see cref="IVec{TSelf}.StoreFirst"/> through a copy on the
/// stack, for widths without masked loads and stores.</summary>
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Exp(V1 x) => new(MathF.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V1 Tanh(V1 x) => new((float)Math.Tanh(x._v));
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Exp(V512 x) => new(Vector512.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V512 a) => Vector512.Sum(a._v);

    public static bool MasksLanes => Avx512F.IsSupported;

    // under an AVX-512 mask: masked-off lanes are neither read (nor fault) nor written, and load as zero
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 LoadFirst(float* source, int count) => Avx512F.IsSupported
        ? new(Avx512F.MaskLoad(source, FirstLanes(count), Vector512<float>.Zero))
        : PaddedLanes.LoadFirst<V512>(source, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(V512 value, float* destination, int count)
    {
        if (Avx512F.IsSupported)
        {
            Avx512F.MaskStore(destination, FirstLanes(count), value._v);
        }
        else
        {
            PaddedLanes.StoreFirst(value, destination, count);
        }
    }

    private static Vector512<float> FirstLanes(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ExpShifted(V512 x, double offset)
    {
        (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(x._v);
        Vector512<double> o = Vector512.Create(offset);
        return new(Vector512.Narrow(Vector512.Exp(lo - o), Vector512.Exp(hi - o)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Tanh(V512 x)
    {
        (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(x._v);
        return new(Vector512.Narrow(DoubleMath.Tanh(lo), DoubleMath.Tanh(hi)));
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Exp(V256 x) => new(Vector256.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V256 a) => Vector256.Sum(a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ExpShifted(V256 x, double offset)
    {
        (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(x._v);
        Vector256<double> o = Vector256.Create(offset);
        return new(Vector256.Narrow(Vector256.Exp(lo - o), Vector256.Exp(hi - o)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Tanh(V256 x)
    {
        (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(x._v);
        return new(Vector256.Narrow(DoubleMath.Tanh(lo), DoubleMath.Tanh(hi)));
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Exp(V128 x) => new(Vector128.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V128 a) => Vector128.Sum(a._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ExpShifted(V128 x, double offset)
    {
        (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(x._v);
        Vector128<double> o = Vector128.Create(offset);
        return new(Vector128.Narrow(Vector128.Exp(lo - o), Vector128.Exp(hi - o)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Tanh(V128 x)
    {
        (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(x._v);
        return new(Vector128.Narrow(DoubleMath.Tanh(lo), DoubleMath.Tanh(hi)));
    }
}

/// <summary>float64 helpers for the activations that need them to stay within a few ulp of float32.</summary>
internal static class DoubleMath
{
    // tanh z = (e^2z − 1)/(e^2z + 1) in float64: the cancellation near 0 costs ~1e-16/|z|, negligible in float32
    // above |z| = 1e-6; below it tanh z = z to float32 precision. |z| ≤ 20 keeps e^2z finite (tanh 20 rounds to 1).
    private const double Small = 1e-6, Large = 20;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Tanh(Vector512<double> z)
    {
        Vector512<double> e = Vector512.Exp(Vector512.Create(2.0) * Vector512.Clamp(z, Vector512.Create(-Large), Vector512.Create(Large)));
        Vector512<double> t = (e - Vector512<double>.One) / (e + Vector512<double>.One);
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(z), Vector512.Create(Small)), z, t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Tanh(Vector256<double> z)
    {
        Vector256<double> e = Vector256.Exp(Vector256.Create(2.0) * Vector256.Clamp(z, Vector256.Create(-Large), Vector256.Create(Large)));
        Vector256<double> t = (e - Vector256<double>.One) / (e + Vector256<double>.One);
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(z), Vector256.Create(Small)), z, t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Tanh(Vector128<double> z)
    {
        Vector128<double> e = Vector128.Exp(Vector128.Create(2.0) * Vector128.Clamp(z, Vector128.Create(-Large), Vector128.Create(Large)));
        Vector128<double> t = (e - Vector128<double>.One) / (e + Vector128<double>.One);
        return Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(z), Vector128.Create(Small)), z, t);
    }
}
