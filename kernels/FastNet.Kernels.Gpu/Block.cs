using ILGPU;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// A thread's 4×4 block of GEMM accumulators: in <see cref="GemmKernels"/> and <see cref="GemmLargeKernels"/>,
/// element (i, j) lies <see cref="Spacing"/>·i rows and <see cref="Spacing"/>·j columns from the block's origin
/// (<see cref="WideBlock"/> uses <see cref="Fma"/> with adjacent elements). Passed and returned by value, so ILGPU
/// keeps it in registers; the helpers are straight-line code.
/// </summary>
internal struct Block
{
    /// <summary>Rows (and columns) between a thread's neighbouring outputs: the group is 16 threads wide.</summary>
    public const int Spacing = 16;

    public float C00, C01, C02, C03, C10, C11, C12, C13, C20, C21, C22, C23, C30, C31, C32, C33;

    /// <summary>c + a·bᵀ for one step of k.</summary>
    public static Block Fma(Block c, float a0, float a1, float a2, float a3, float b0, float b1, float b2, float b3)
    {
        c.C00 += a0 * b0;
        c.C01 += a0 * b1;
        c.C02 += a0 * b2;
        c.C03 += a0 * b3;
        c.C10 += a1 * b0;
        c.C11 += a1 * b1;
        c.C12 += a1 * b2;
        c.C13 += a1 * b3;
        c.C20 += a2 * b0;
        c.C21 += a2 * b1;
        c.C22 += a2 * b2;
        c.C23 += a2 * b3;
        c.C30 += a3 * b0;
        c.C31 += a3 * b1;
        c.C32 += a3 * b2;
        c.C33 += a3 * b3;
        return c;
    }

    /// <summary>Writes f(c + bias) for the elements inside [m, n]; a 16-thread row of the group writes contiguously.
    /// </summary>
    public static void Store<TActivation>(Block c, ArrayView<float> output, ArrayView<float> bias, int m, int n,
        int hasBias, int row, int column)
        where TActivation : struct, IActivationFunction
    {
        StoreRow<TActivation>(output, bias, m, n, hasBias, row, column, c.C00, c.C01, c.C02, c.C03);
        StoreRow<TActivation>(output, bias, m, n, hasBias, row + Spacing, column, c.C10, c.C11, c.C12, c.C13);
        StoreRow<TActivation>(output, bias, m, n, hasBias, row + 2 * Spacing, column, c.C20, c.C21, c.C22, c.C23);
        StoreRow<TActivation>(output, bias, m, n, hasBias, row + 3 * Spacing, column, c.C30, c.C31, c.C32, c.C33);
    }

    private static void StoreRow<TActivation>(ArrayView<float> output, ArrayView<float> bias, int m, int n,
        int hasBias, int row, int column, float v0, float v1, float v2, float v3)
        where TActivation : struct, IActivationFunction
    {
        if (row < m)
        {
            StoreOne<TActivation>(output, bias, n, hasBias, row, column, v0);
            StoreOne<TActivation>(output, bias, n, hasBias, row, column + Spacing, v1);
            StoreOne<TActivation>(output, bias, n, hasBias, row, column + 2 * Spacing, v2);
            StoreOne<TActivation>(output, bias, n, hasBias, row, column + 3 * Spacing, v3);
        }
    }

    private static void StoreOne<TActivation>(ArrayView<float> output, ArrayView<float> bias, int n, int hasBias,
        int row, int column, float value)
        where TActivation : struct, IActivationFunction
    {
        if (column < n)
        {
            float z = hasBias != 0 ? value + bias[column] : value;
            output[row * n + column] = default(TActivation).Apply(z);
        }
    }
}
