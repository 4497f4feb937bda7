namespace FastNet.Kernels.Gpu;

/// <summary>
/// A thread's 8×16 block of accumulators in <see cref="GemmWideKernels"/>: two rows of four <see cref="Block"/>s.
/// Here the elements of each 4×4 block are adjacent rows and columns (they arrive as one <see cref="Float4"/> of A
/// and one of B); block Ri·Cj starts 64·i rows and 64·j columns from the thread's origin. Passed and returned by
/// value, so ILGPU keeps it in registers.
/// </summary>
internal struct WideBlock
{
    public Block R0C0, R0C1, R0C2, R0C3, R1C0, R1C1, R1C2, R1C3;

    /// <summary>c + a·bᵀ for one step of k: a holds the thread's 8 rows, b its 16 columns.</summary>
    public static WideBlock Fma(WideBlock c, Float4 a0, Float4 a1, Float4 b0, Float4 b1, Float4 b2, Float4 b3)
    {
        c.R0C0 = Block.Fma(c.R0C0, a0.X, a0.Y, a0.Z, a0.W, b0.X, b0.Y, b0.Z, b0.W);
        c.R0C1 = Block.Fma(c.R0C1, a0.X, a0.Y, a0.Z, a0.W, b1.X, b1.Y, b1.Z, b1.W);
        c.R0C2 = Block.Fma(c.R0C2, a0.X, a0.Y, a0.Z, a0.W, b2.X, b2.Y, b2.Z, b2.W);
        c.R0C3 = Block.Fma(c.R0C3, a0.X, a0.Y, a0.Z, a0.W, b3.X, b3.Y, b3.Z, b3.W);
        c.R1C0 = Block.Fma(c.R1C0, a1.X, a1.Y, a1.Z, a1.W, b0.X, b0.Y, b0.Z, b0.W);
        c.R1C1 = Block.Fma(c.R1C1, a1.X, a1.Y, a1.Z, a1.W, b1.X, b1.Y, b1.Z, b1.W);
        c.R1C2 = Block.Fma(c.R1C2, a1.X, a1.Y, a1.Z, a1.W, b2.X, b2.Y, b2.Z, b2.W);
        c.R1C3 = Block.Fma(c.R1C3, a1.X, a1.Y, a1.Z, a1.W, b3.X, b3.Y, b3.Z, b3.W);
        return c;
    }
}
