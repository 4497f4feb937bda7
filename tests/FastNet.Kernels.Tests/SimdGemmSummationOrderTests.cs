using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The SIMD GEMM's exact arithmetic: each element of C is summed over K in blocks of <see cref="DepthBlock"/> steps,
/// one fused multiply-add per step from zero, and the block sums are added to C in block order. A scalar model of that
/// order must give the same bits for X·W, Xᵀ·dZ and dZ·Wᵀ on any thread count, whichever thread packs which operand
/// and however the edge tiles and short k-blocks fall. Widths of 256 bits and more compute with FMA instructions (AVX2
/// and FMA, AVX-512); narrower ones may not fuse, so they are compared with each other elsewhere
/// (<see cref="SimdThreadCountTests"/>), not with this model.
/// </summary>
public class SimdGemmSummationOrderTests
{
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        // outputs a multiple of 512 floats: W and dZ are packed row by row in groups of panels; edge rows; K = 300
        // (a short second k-block at 256 bits); dX reads Wᵀ, packed one panel at a time with a zero-padded last panel
        { 97, 300, 1024, 1 },
        { 97, 300, 1024, 2 },
        { 97, 300, 1024, 3 },
        // dX with more rows than columns: threads split C by rows, so they share B's panels and wait for each
        // other's packing; dW's K = 300; at 512 bits X·W reads X's 300 rows in place, four blocks of Gemm.Mc rows
        { 300, 97, 512, 2 },
        { 300, 97, 512, 3 },
        // 1030 outputs: W's whole panels are read in place and only its last, partial panel is packed; X·W reads X's
        // first 36 rows in place too at 512 bits (the threads split its columns) and packs the last 4
        { 40, 520, 1030, 2 },
        // a batch of 64 by 784 → 256 (tanh-64's first layer): X's 60 rows in place, 4 packed, through full panels
        { 64, 784, 256, 2 },
        // several row blocks per thread and k-blocks whose last is 8 steps deep (X·W: three at 256 bits, two of W's
        // aliasing rows read in place at 512); at 512 bits X·W reads X's rows in place across blocks of Gemm.Mc rows,
        // the last a single 8-row panel that is packed
        { 200, 520, 512, 2 },
        // more rows than Gemm.AliasedInPlaceRows at every width: W packed row by row at 512 bits too (above, A's
        // 97 to 300 rows read W and dZ in place at 512 bits and packed at 256)
        { 530, 60, 512, 2 },
        // the last rows of 12-row panels (512 bits): 7 rows through the 8-row kernel and a tile, 8 rows (dW's 44)
        // stored directly; 4 rows (above: 40 and 520) likewise through the 4-row kernel
        { 103, 44, 160, 3 },
        // K past one 1024-step block at 512 bits: X·W reads W's aliasing rows in place (blocks of 512 steps: 512, 512
        // and 76), dW's K = 1030 reads dZ in place (1024 and 6), dX's K = 1100 packs Wᵀ (1024 and 76)
        { 40, 1100, 512, 2 },
        { 1030, 70, 64, 2 },
        { 20, 64, 1100, 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ProductsFollowTheBlockedFusedSummationOrder(int batch, int inputs, int outputs, int threads)
    {
        var random = new Random(batch + inputs + outputs);
        float[] x = Host.Random(random, batch * inputs), w = Host.Random(random, inputs * outputs);
        float[] delta = Host.Random(random, batch * outputs);
        foreach (VectorWidth width in VectorWidths.Available.Where(w => w >= VectorWidth.Bits256))
        {
            using var simd = SimdBackend.Create(threads, width);
            (float[] a, float[] dz, float[] dw, float[] dx) = Products(simd, x, w, delta, batch, inputs, outputs);
            // A = X·W
            Assert.Equal(Model(x, inputs, 1, w, outputs, 1, batch, outputs, inputs, width), a);
            // dW = Xᵀ·dZ
            Assert.Equal(Model(x, 1, inputs, dz, outputs, 1, inputs, outputs, batch, width), dw);
            // dX = dZ·Wᵀ
            Assert.Equal(Model(dz, outputs, 1, w, 1, outputs, batch, inputs, outputs, width), dx);
        }
    }

    // the identity activation with no bias: the forward pass is the bare product, and dZ is the incoming gradient
    private static (float[] A, float[] DZ, float[] DW, float[] DX) Products(SimdBackend simd, float[] x, float[] w,
        float[] delta, int batch, int inputs, int outputs)
    {
        using FloatBuffer xs = Host.Upload(simd, x), ws = Host.Upload(simd, w), d = Host.Upload(simd, delta);
        using FloatBuffer a = simd.Allocate(batch * outputs), dw = simd.Allocate(inputs * outputs);
        using FloatBuffer dx = simd.Allocate(batch * inputs);
        simd.DenseForward(xs.All, ws.All, BufferView.Empty, batch, inputs, outputs, Activation.Identity, a.All);
        simd.DenseBackward(xs.All, ws.All, a.All, batch, inputs, outputs, Activation.Identity, d.All, dw.All,
            BufferView.Empty, dx.All);
        return (Host.Download(simd, a.All), Host.Download(simd, d.All), Host.Download(simd, dw.All),
            Host.Download(simd, dx.All));
    }

    /// <summary>
    /// The depth of the k-blocks of C = A·B with C's <paramref name="m"/> rows at this width: 256 steps at 256 bits; at
    /// 512 bits 1024, or 512 where B is row-major (<paramref name="bColumn"/> 1) and read in place although its rows
    /// alias in the caches, which the GEMM does where they are a multiple of 512 floats apart and C has at most 512
    /// rows.
    /// </summary>
    internal static int DepthBlock(VectorWidth width, int m, int bRow, int bColumn) =>
        width != VectorWidth.Bits512 ? 256 : bColumn == 1 && bRow % 512 == 0 && m <= 512 ? 512 : 1024;

    // C[m, n] = A[m, k]·B[k, n], element (i, k) of A at a[i·aRow + k·aColumn], likewise for B, summed as the GEMM does
    // at this width
    internal static float[] Model(float[] a, int aRow, int aColumn, float[] b, int bRow, int bColumn, int m, int n,
        int k, VectorWidth width)
    {
        int kc = DepthBlock(width, m, bRow, bColumn);
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int k0 = 0; k0 < k; k0 += kc)
                {
                    float block = 0;
                    for (int s = k0; s < Math.Min(k, k0 + kc); s++)
                    {
                        block = MathF.FusedMultiplyAdd(a[(i * aRow) + (s * aColumn)], b[(s * bRow) + (j * bColumn)],
                            block);
                    }
                    sum = k0 == 0 ? block : sum + block;
                }
                c[(i * n) + j] = sum;
            }
        }
        return c;
    }
}
