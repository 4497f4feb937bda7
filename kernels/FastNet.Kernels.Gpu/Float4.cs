namespace FastNet.Kernels.Gpu;

/// <summary>
/// Four consecutive floats moved as one 16-byte value. Whole-value loads and stores through a view of this type that
/// is marked 16-byte aligned compile to PTX's vector instructions (<c>ld.shared.v4.f32</c>, <c>ld.v4.f32</c>,
/// <c>st.v4.f32</c>) in ILGPU 1.5.3; <c>System.Numerics.Vector4</c> does not compile in kernels.
/// </summary>
internal struct Float4
{
    public float X, Y, Z, W;

    public Float4(float x, float y, float z, float w)
    {
        X = x;
        Y = y;
        Z = z;
        W = w;
    }
}
