namespace FastNet.Kernels.Simd;

/// <summary>
/// A matrix operand as the GEMM reads it: element (i, k) at <c>Data[i·RowStride + k·ColStride]</c>, so a transposed
/// operand is the same memory with the strides swapped and no copy.
/// </summary>
internal readonly unsafe struct Operand(float* data, nint rowStride, nint colStride)
{
    /// <summary>Element (0, 0).</summary>
    public float* Data { get; } = data;

    /// <summary>Floats between consecutive rows.</summary>
    public nint RowStride { get; } = rowStride;

    /// <summary>Floats between consecutive columns.</summary>
    public nint ColStride { get; } = colStride;
}

/// <summary>
/// Copies GEMM operands into the panel layouts the micro-kernels stream: k-major, a fixed number of rows (A) or
/// columns (B) per step, zero-padded at the matrix edge so every kernel call runs a full tile.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Packs rows [i0, i0 + rows) × depth [k0, k0 + depth) of <paramref name="a"/> into micro-panels of
    /// <paramref name="mr"/> rows: panel p holds step k at <c>destination[p·mr·depth + k·mr + r]</c>.
    /// </summary>
    public static void PackA(Operand a, int i0, int rows, int k0, int depth, int mr, float* destination)
    {
        for (int p = 0; p < rows; p += mr)
        {
            int valid = Math.Min(mr, rows - p);
            float* panel = destination + ((nint)p * depth);
            float* source = a.Data + ((i0 + p) * a.RowStride) + (k0 * a.ColStride);
            Transpose(source, a.RowStride, a.ColStride, valid, depth, mr, panel);
        }
    }

    /// <summary>
    /// Packs depth [k0, k0 + depth) × columns [j0, j0 + columns) of <paramref name="b"/> (columns ≤ nr) into one
    /// micro-panel: step k at <c>destination[k·nr + c]</c>.
    /// </summary>
    public static void PackB(Operand b, int k0, int depth, int j0, int columns, int nr, float* destination)
    {
        float* source = b.Data + (k0 * b.RowStride) + (j0 * b.ColStride);
        Transpose(source, b.ColStride, b.RowStride, columns, depth, nr, destination);
    }

    // destination[k·width + r] = source[r·lineStride + k·stepStride] for r < lines, zero for lines ≤ r < width
    private static void Transpose(float* source, nint lineStride, nint stepStride, int lines, int depth, int width,
        float* destination)
    {
        if (lines < width)
        {
            new Span<float>(destination, depth * width).Clear();
        }
        if (lineStride == 1)
        {
            // each step's lines are contiguous in the source: straight copies
            for (int k = 0; k < depth; k++)
            {
                float* from = source + (k * stepStride), to = destination + ((nint)k * width);
                for (int r = 0; r < lines; r++)
                {
                    to[r] = from[r];
                }
            }
        }
        else
        {
            // read each line contiguously (stepStride is 1 in practice), write with stride width within the panel
            for (int r = 0; r < lines; r++)
            {
                float* from = source + (r * lineStride), to = destination + r;
                for (int k = 0; k < depth; k++)
                {
                    to[(nint)k * width] = from[k * stepStride];
                }
            }
        }
    }
}
