using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The batch-1 forward pass sums each output column as one chain of multiply-adds in row order, so how many columns a
/// loop of the kernel takes at a time (its register blocking) must never show in the bits: every column of a wide layer
/// is the same bits as that column computed in a layer of its own one vector block wide.
/// </summary>
public class PerExampleForwardBlockingTests
{
    // a multiple of every vector width's float count, so each slice's columns take the vector path, as in the wide layer
    private const int SliceColumns = 16;

    // 200 rows keep every shape here in one chunk of rows (the chunking would change the summation order)
    private const int Inputs = 200;

    public static TheoryData<VectorWidth, int> WidthsAndOutputs()
    {
        var data = new TheoryData<VectorWidth, int>();
        foreach (VectorWidth width in VectorWidths.Available)
        {
            // 128: whole blocks of the widest loop at 256 bits; 160: a wide block, then narrower ones; 48: no wide block
            foreach (int outputs in new[] { 128, 160, 48 })
            {
                data.Add(width, outputs);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndOutputs))]
    public void EachColumnIsTheSameBitsAsInALayerOfItsOwnBlock(VectorWidth width, int outputs) =>
        ExpectSlicesAlike(width, outputs, 29, _ => SliceColumns);

    public static TheoryData<VectorWidth, int> WidthsAndOutputsWithTails()
    {
        var data = new TheoryData<VectorWidth, int>();
        foreach (VectorWidth width in VectorWidths.Available)
        {
            // 10: one vector and a tail at 256 bits (the per-example workload's last layer), a tail alone at 512;
            // 27: up to three vectors and a tail; 130: wide blocks, then a tail alone; 3: narrower than a vector
            foreach (int outputs in new[] { 10, 13, 27, 130, 3 })
            {
                data.Add(width, outputs);
            }
        }
        return data;
    }

    /// <summary>
    /// The columns past the last whole vector are summed with the one-column layer's arithmetic (a product, then a
    /// sum), whole vectors with the vector path's, whatever the kernel interleaves or overlaps to get there.
    /// </summary>
    [Theory]
    [MemberData(nameof(WidthsAndOutputsWithTails))]
    public void ColumnsPastTheLastVectorAreTheSameBitsAsAColumnAlone(VectorWidth width, int outputs)
    {
        int lanes = (int)width / 32, whole = outputs / lanes * lanes;
        ExpectSlicesAlike(width, outputs, 31, first => first < whole ? lanes : 1);
    }

    // Every slice of the wide layer's columns, starting at 0 and as wide as sliceAt(its first column) says, is the same
    // bits as a layer of those columns alone.
    private static void ExpectSlicesAlike(VectorWidth width, int outputs, int seed, Func<int, int> sliceAt)
    {
        Assert.Equal(1, SimdBackend.PerExampleRowChunks(Inputs, outputs));
        using SimdBackend backend = SimdBackend.Create(1, width);
        var random = new Random(seed);
        float[] x = Host.Random(random, Inputs), w = Host.Random(random, Inputs * outputs, 0.05);
        float[] wide = Forward(backend, x, w, outputs);
        for (int first = 0, columns; first < outputs; first += columns)
        {
            columns = sliceAt(first);
            float[] slice = new float[Inputs * columns];
            for (int i = 0; i < Inputs; i++)
            {
                Array.Copy(w, (i * outputs) + first, slice, i * columns, columns);
            }
            float[] alone = Forward(backend, x, slice, columns);
            Expect.BitIdentical(alone, wide.AsSpan(first, columns).ToArray(),
                $"{width} {Inputs}→{outputs}: columns {first}..{first + columns - 1}");
        }
    }

    // y = x·W at batch 1, no bias, identity
    private static float[] Forward(IBackend backend, float[] x, float[] w, int outputs)
    {
        using FloatBuffer xb = Host.Upload(backend, x), wb = Host.Upload(backend, w), y = backend.Allocate(outputs);
        backend.DenseForward(xb.All, wb.All, BufferView.Empty, 1, Inputs, outputs, Activation.Identity, y.All);
        return Host.Download(backend, y.All);
    }
}
