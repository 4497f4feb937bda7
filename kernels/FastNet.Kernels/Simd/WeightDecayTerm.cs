using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// How plain SGD forms g + λθ from the gradient g and the parameter θ. <see cref="Decayed"/> is the one multiply-add
/// every rule takes; <see cref="Undecayed"/> leaves the term out when λ = 0, which saves a sweep one multiply-add a
/// vector and gives the same bits: fma(0, θ, g) is g for every finite θ, except that g = −0 can come back +0, and
/// θ − η·(±0) is then the same value with the same sign either way (for θ = −0, 0·θ = −0 and the sum is g itself).
/// Only an infinite θ differs (0·∞ is NaN): it stays infinite instead of turning into NaN. The rules with state
/// always take <see cref="Decayed"/>: they carry g into their state, where the sign of a zero would show.
/// </summary>
internal interface IWeightDecayTerm
{
    static abstract TV Add<TV>(TV lambda, TV theta, TV gradient) where TV : unmanaged, IVec<TV>;
}

/// <summary>g + λθ as one fused multiply-add.</summary>
internal readonly struct Decayed : IWeightDecayTerm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Add<TV>(TV lambda, TV theta, TV gradient) where TV : unmanaged, IVec<TV> =>
        TV.MulAdd(lambda, theta, gradient);
}

/// <summary>g itself, for λ = 0.</summary>
internal readonly struct Undecayed : IWeightDecayTerm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Add<TV>(TV lambda, TV theta, TV gradient) where TV : unmanaged, IVec<TV> => gradient;
}
