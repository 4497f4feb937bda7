using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The SIMD GEMM's path for a C no wider than one micro-panel (N ≤ 2V columns: a 10-wide output layer's X·W and
/// Xᵀ·dZ, or dZ·Wᵀ of a layer with few inputs) reads A in place and stores only C's valid columns, yet every element
/// must keep the bits of the tiled path: one fused chain per k-block from zero, the chains added in block order, the
/// bias added after. Widths 1 to 2·(2V) − 1 cover one vector (up to V columns: the one-vector kernel, 8 rows a
/// tile), a partial second one, and a ragged second panel that takes the tiled path; depths and batches fall on both
/// sides of a k-block (256 steps at 256 bits, 1024 at 512).
/// </summary>
public class SimdGemmNarrowTests
{
    // a width every narrow one is a prefix of: a multiple of every micro-panel (2V ≤ 32 columns) and wider than 2·2V − 1
    private const int Wide = 64;

    // (batch, depth, threads): depth is the forward pass's inputs and the narrow dX's outputs; the batch is dW's K
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 2, 1, 1 },
        { 7, 255, 2 },
        { 13, 256, 1 },
        { 6, 257, 3 },
        { 300, 17, 2 },
        { 97, 520, 2 },
        { 5, 1030, 2 },
        { 1030, 9, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void NarrowProductsFollowTheBlockedFusedSummationOrder(int batch, int depth, int threads)
    {
        var random = new Random((batch * 1000) + depth);
        foreach (VectorWidth width in VectorWidths.Available.Where(w => w >= VectorWidth.Bits256))
        {
            using var simd = SimdBackend.Create(threads, width);
            for (int n = 1; n < 2 * PanelColumns(width); n++)
            {
                // outputs = n: A = X·W + b and dW = Xᵀ·dZ are n wide
                float[] x = Host.Random(random, batch * depth), w = Host.Random(random, depth * n);
                float[] bias = Host.Random(random, n), delta = Host.Random(random, batch * n);
                (float[] a, float[] dw, _) = Products(simd, x, w, bias, delta, batch, depth, n);
                float[] product = SimdGemmSummationOrderTests.Model(x, depth, 1, w, n, 1, batch, n, depth, width);
                Assert.Equal(AddBias(product, bias), a);
                Assert.Equal(SimdGemmSummationOrderTests.Model(x, 1, depth, delta, n, 1, depth, n, batch, width), dw);

                // inputs = n: dX = dZ·Wᵀ is n wide, over K = depth
                x = Host.Random(random, batch * n);
                w = Host.Random(random, n * depth);
                delta = Host.Random(random, batch * depth);
                (_, _, float[] dx) = Products(simd, x, w, [], delta, batch, n, depth);
                Assert.Equal(SimdGemmSummationOrderTests.Model(delta, depth, 1, w, 1, depth, batch, n, depth, width),
                    dx);
            }
        }
    }

    // every width, those without FMA included: a narrow product equals the same columns of a product padded with
    // zero columns to a width that only full micro-panels cover
    [Theory]
    [MemberData(nameof(Shapes))]
    public void NarrowProductsEqualTheirColumnsOfAWideProduct(int batch, int depth, int threads)
    {
        var random = new Random((batch * 1000) + depth + 1);
        foreach (VectorWidth width in VectorWidths.Available)
        {
            using var simd = SimdBackend.Create(threads, width);
            for (int n = 1; n < 2 * PanelColumns(width); n++)
            {
                float[] x = Host.Random(random, batch * depth), w = Host.Random(random, depth * n);
                float[] bias = Host.Random(random, n), delta = Host.Random(random, batch * n);
                (float[] a, float[] dw, _) = Products(simd, x, w, bias, delta, batch, depth, n);
                (float[] wideA, float[] wideDw, _) = Products(simd, x, Widen(w, depth, n, Wide), Widen(bias, 1, n, Wide),
                    Widen(delta, batch, n, Wide), batch, depth, Wide);
                Assert.Equal(Narrow(wideA, batch, Wide, n), a);
                Assert.Equal(Narrow(wideDw, depth, Wide, n), dw);

                // dX's n columns are W's n rows: padding W with zero rows (and X with zero columns) widens dX
                x = Host.Random(random, batch * n);
                w = Host.Random(random, n * depth);
                delta = Host.Random(random, batch * depth);
                (_, _, float[] dx) = Products(simd, x, w, [], delta, batch, n, depth);
                (_, _, float[] wideDx) = Products(simd, Widen(x, batch, n, Wide), [.. w, .. new float[(Wide - n) * depth]],
                    [], delta, batch, Wide, depth);
                Assert.Equal(Narrow(wideDx, batch, Wide, n), dx);
            }
        }
    }

    // columns of one micro-panel: two vectors
    private static int PanelColumns(VectorWidth width) => 2 * (int)width / 32;

    // forward with the bias (if any) and the identity, then dW and dX with the identity's dZ = ∂L/∂A
    private static (float[] A, float[] DW, float[] DX) Products(SimdBackend simd, float[] x, float[] w, float[] bias,
        float[] delta, int batch, int inputs, int outputs)
    {
        using FloatBuffer xs = Host.Upload(simd, x), ws = Host.Upload(simd, w), d = Host.Upload(simd, delta);
        using FloatBuffer a = simd.Allocate(batch * outputs), dw = simd.Allocate(inputs * outputs);
        using FloatBuffer dx = simd.Allocate(batch * inputs);
        using FloatBuffer? b = bias.Length > 0 ? Host.Upload(simd, bias) : null;
        simd.DenseForward(xs.All, ws.All, b?.All ?? BufferView.Empty, batch, inputs, outputs, Activation.Identity,
            a.All);
        simd.DenseBackward(xs.All, ws.All, a.All, batch, inputs, outputs, Activation.Identity, d.All, dw.All,
            BufferView.Empty, dx.All);
        return (Host.Download(simd, a.All), Host.Download(simd, dw.All), Host.Download(simd, dx.All));
    }

    private static float[] AddBias(float[] product, float[] bias)
    {
        float[] sum = new float[product.Length];
        for (int i = 0; i < product.Length; i++)
        {
            sum[i] = product[i] + bias[i % bias.Length];
        }
        return sum;
    }

    // rows × columns, each row followed by zeros up to wideColumns
    private static float[] Widen(float[] values, int rows, int columns, int wideColumns)
    {
        float[] wide = new float[rows * wideColumns];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(values, r * columns, wide, r * wideColumns, columns);
        }
        return wide;
    }

    // the first columns of each row
    private static float[] Narrow(float[] wide, int rows, int wideColumns, int columns)
    {
        float[] narrow = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(wide, r * wideColumns, narrow, r * columns, columns);
        }
        return narrow;
    }
}
