using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The panel layouts the micro-kernels stream, written out element by element from their definitions and compared
/// with what <see cref="Packing"/> writes, whichever of its copying paths a shape takes: A's micro-panels hold step k
/// of panel p at <c>[p·mr·depth + k·mr + r]</c> and zeros past the matrix's last row; B's panels hold step k at
/// <c>[k·nr + c]</c>. Every value is distinct, the destination starts out as NaN, and the floats after it must stay
/// untouched.
/// </summary>
public sealed unsafe class PackingLayoutTests
{
    // floats past the packed panels that must keep their sentinel
    private const int Guard = 37;

    public static TheoryData<int, int, int, int, int, int> RowMajorA => new()
    {
        // mr, rows, i0, depth, k0, rowStride
        // one whole 12-row panel of a 1024-wide A (the SGEMM's rows, 4 KiB apart), sixteen steps at a time
        { 12, 12, 0, 1024, 0, 1024 },
        // whole panels and a 7-row last one; 37 steps = two runs of sixteen and five more; offsets in both directions
        { 12, 31, 5, 37, 3, 50 },
        // fewer steps than one run of sixteen
        { 12, 24, 1, 9, 2, 16 },
        // 6-row panels (256-bit vectors): four lines and two, and a 5-row last panel
        { 6, 17, 2, 11, 1, 20 },
    };

    public static TheoryData<int, int, int, int, int, int> ColumnMajorA => new()
    {
        // mr, rows, i0, depth, k0, colStride
        // a block of eight whole 12-row panels of Xᵀ (X's rows 1024 floats apart), fetched a few steps ahead
        { 12, 96, 0, 64, 0, 1024 },
        // two whole panels and a 7-row last one, offsets in both directions, 784-wide X
        { 12, 31, 7, 40, 2, 784 },
        // fewer steps than the fetch runs ahead
        { 12, 30, 0, 3, 1, 64 },
        // a single panel, whole or partial
        { 12, 12, 4, 20, 0, 32 },
        { 12, 5, 4, 20, 0, 32 },
        // 6-row panels: three whole and a 2-row last one
        { 6, 20, 3, 13, 5, 40 },
    };

    [Theory]
    [MemberData(nameof(RowMajorA))]
    public void RowMajorAIsPackedIntoMicroPanels(int mr, int rows, int i0, int depth, int k0, int rowStride)
    {
        float[] a = Distinct((i0 + rows) * rowStride);
        fixed (float* data = a)
        {
            PackAAndCompare(new Operand(data, rowStride, 1), (i, k) => a[(i * rowStride) + k], mr, rows, i0, depth,
                k0);
        }
    }

    [Theory]
    [MemberData(nameof(ColumnMajorA))]
    public void ColumnMajorAIsPackedIntoMicroPanels(int mr, int rows, int i0, int depth, int k0, int colStride)
    {
        float[] a = Distinct((k0 + depth) * colStride);
        fixed (float* data = a)
        {
            PackAAndCompare(new Operand(data, 1, colStride), (i, k) => a[i + (k * colStride)], mr, rows, i0, depth,
                k0);
        }
    }

    [Theory]
    // nr, panels, j0, depth, k0, rowStride: 512-bit panels (32 wide) of a 1024-wide B, and 256-bit ones (16) with offsets
    [InlineData(32, 3, 0, 9, 0, 1024)]
    [InlineData(32, 2, 64, 70, 5, 200)]
    [InlineData(16, 3, 16, 6, 1, 70)]
    public void RowMajorBIsPackedIntoPanelsRowByRow(int nr, int panels, int j0, int depth, int k0, int rowStride)
    {
        float[] b = Distinct((k0 + depth) * rowStride);
        nint panelStride = (nint)depth * nr;
        float[] packed = Sentinels((panels * depth * nr) + Guard);
        fixed (float* source = b, destination = packed)
        {
            Packing.PackBRows(new Operand(source, rowStride, 1), k0, depth, j0, panels, nr, destination, panelStride);
        }
        for (int p = 0; p < panels; p++)
        {
            for (int k = 0; k < depth; k++)
            {
                for (int c = 0; c < nr; c++)
                {
                    float expected = b[((k0 + k) * rowStride) + j0 + (p * nr) + c];
                    Assert.True(expected == packed[(p * panelStride) + (k * nr) + c],
                        $"panel {p}, step {k}, column {c}: {packed[(p * panelStride) + (k * nr) + c]}, expected {expected}");
                }
            }
        }
        AssertGuardKept(packed, panels * depth * nr);
    }

    public static TheoryData<int, int, int, int, int, int> TransposedB => new()
    {
        // nr, columns, j0, depth, k0, colStride
        // a whole 32-wide panel of Wᵀ (W's rows 1024 floats apart): 16×16 blocks, 70 steps = four blocks of sixteen,
        // then 6 steps in 8×8 blocks' scalar tails
        { 32, 32, 0, 70, 0, 1024 },
        // two whole blocks of sixteen steps exactly, offsets in both directions
        { 32, 32, 32, 32, 3, 100 },
        // a partial panel: sixteen columns in one block, five more in 4×4 blocks and alone, the rest zero
        { 32, 21, 5, 19, 1, 64 },
        // a 16-wide panel (256-bit vectors): one block of sixteen lines
        { 16, 16, 2, 23, 4, 40 },
        // fewer columns than one block of eight
        { 16, 7, 0, 9, 0, 16 },
    };

    [Theory]
    [MemberData(nameof(TransposedB))]
    public void TransposedBIsPackedIntoAPanel(int nr, int columns, int j0, int depth, int k0, int colStride)
    {
        // B's element (k, j) at b[k + j·colStride]: a W read as Wᵀ
        float[] b = Distinct((j0 + columns) * colStride);
        float[] packed = Sentinels((depth * nr) + Guard);
        fixed (float* data = b)
        fixed (float* destination = packed)
        {
            Packing.PackB(new Operand(data, 1, colStride), k0, depth, j0, columns, nr, destination);
        }
        for (int k = 0; k < depth; k++)
        {
            for (int c = 0; c < nr; c++)
            {
                float expected = c < columns ? b[k0 + k + ((j0 + c) * colStride)] : 0f;
                Assert.True(expected.Equals(packed[(k * nr) + c]),
                    $"step {k}, column {c}: {packed[(k * nr) + c]}, expected {expected}");
            }
        }
        AssertGuardKept(packed, depth * nr);
    }

    private static void PackAAndCompare(Operand a, Func<int, int, float> element, int mr, int rows, int i0, int depth,
        int k0)
    {
        int panels = (rows + mr - 1) / mr, length = panels * mr * depth;
        float[] packed = Sentinels(length + Guard);
        fixed (float* destination = packed)
        {
            Packing.PackA(a, i0, rows, k0, depth, mr, destination);
        }
        for (int p = 0; p < panels; p++)
        {
            for (int k = 0; k < depth; k++)
            {
                for (int r = 0; r < mr; r++)
                {
                    int row = (p * mr) + r, at = (p * mr * depth) + (k * mr) + r;
                    float expected = row < rows ? element(i0 + row, k0 + k) : 0f;
                    Assert.True(expected.Equals(packed[at]),
                        $"panel {p}, step {k}, row {r}: {packed[at]}, expected {expected}");
                }
            }
        }
        AssertGuardKept(packed, length);
    }

    // 0.5, 1.5, 2.5, …: every element its own exact value
    private static float[] Distinct(int length) => [.. Enumerable.Range(0, length).Select(i => i + 0.5f)];

    private static float[] Sentinels(int length) => [.. Enumerable.Repeat(float.NaN, length)];

    private static void AssertGuardKept(float[] packed, int length)
    {
        for (int i = length; i < packed.Length; i++)
        {
            Assert.True(float.IsNaN(packed[i]), $"float {i - length} past the panels was written: {packed[i]}");
        }
    }
}
