using System.Runtime.InteropServices;
using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// A C no wider than one vector reads a row-major B's rows where they lie, each step a vector loaded masked to C's
/// columns: so a 10-wide W's last row, 40 bytes, is read as 40 bytes and not 64. Here W ends exactly where an
/// unreadable page begins, so a load past its last row faults and ends the test run; the product must also equal the
/// scalar model of the narrow path's order (one fused chain per k-block, the chains added in block order). C's rows
/// are stored (and, past the first k-block, read back) masked the same way: the floats between them and after the
/// last must stay as they were.
/// </summary>
public unsafe class SimdGemmNarrowInPlaceTests
{
    private const int PageBytes = 4096;

    public static TheoryData<int, int, int> Shapes => new()
    {
        // (batch, inputs, outputs): the output layers of tanh-64 and sigmoid-64, a 1-wide and a 15-wide C
        { 64, 256, 10 },
        { 64, 1024, 10 },
        { 9, 300, 1 },
        { 17, 40, 15 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ANarrowBIsNotReadPastItsLastRow(int batch, int inputs, int outputs)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the guard page is made with Linux's mmap and mprotect
        }
        var random = new Random(batch + inputs + outputs);
        float[] x = Host.Random(random, batch * inputs), w = Host.Random(random, inputs * outputs);
        // W's last float is the last before the unreadable page (4-byte aligned, as a view of a buffer may be)
        BeforeGuardPage(w.Length, wData =>
        {
            w.CopyTo(new Span<float>(wData, w.Length));
            // the widths that fuse their multiply-adds, as the model does
            foreach (VectorWidth width in VectorWidths.Available.Where(v => v >= VectorWidth.Bits256))
            {
                float[] c = Multiply(width, x, wData, batch, inputs, outputs);
                Assert.Equal(SimdGemmSummationOrderTests.Model(x, inputs, 1, w, outputs, 1, batch, outputs, inputs,
                    width), c);
            }
        });
    }

    // (batch, depth, outputs): X·W through the 8-row kernel and Xᵀ·D through the 16-row one, each with one k-block
    // (stored) and with two (the second added to what the first stored)
    public static TheoryData<int, int, int> StoredShapes => new()
    {
        { 64, 256, 10 },
        { 40, 1100, 10 },
        { 1100, 40, 3 },
        { 17, 300, 15 },
    };

    [Theory]
    [MemberData(nameof(StoredShapes))]
    public void ANarrowCIsNotWrittenPastItsColumns(int batch, int depth, int outputs)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the guard page is made with Linux's mmap and mprotect
        }
        const float Untouched = -3.25f;
        var random = new Random(batch + depth + outputs);
        float[] x = Host.Random(random, batch * depth), w = Host.Random(random, depth * outputs);
        float[] delta = Host.Random(random, batch * outputs);
        int ldc = outputs + 3, rows = Math.Max(batch, depth);
        int cFloats = ((rows - 1) * ldc) + outputs;
        // C's last float is the last before the unwritable page
        BeforeGuardPage(cFloats, c =>
        {
            foreach (VectorWidth width in VectorWidths.Available.Where(v => v >= VectorWidth.Bits256))
            {
                fixed (float* xData = x, wData = w, dData = delta)
                {
                    // X·W: A = X row-major, 8 rows a kernel
                    float[] product = SimdGemmSummationOrderTests.Model(x, depth, 1, w, outputs, 1, batch, outputs,
                        depth, width);
                    MultiplyInto(width, new Operand(xData, depth, 1), new Operand(wData, outputs, 1), batch, outputs,
                        depth, c, ldc, cFloats, Untouched);
                    AssertStored(product, c, batch, outputs, ldc, cFloats, Untouched, $"{width}, X·W");

                    // Xᵀ·D: A = Xᵀ, rows next to each other, 16 rows a kernel
                    product = SimdGemmSummationOrderTests.Model(x, 1, depth, delta, outputs, 1, depth, outputs, batch,
                        width);
                    MultiplyInto(width, new Operand(xData, 1, depth), new Operand(dData, outputs, 1), depth, outputs,
                        batch, c, ldc, cFloats, Untouched);
                    AssertStored(product, c, depth, outputs, ldc, cFloats, Untouched, $"{width}, Xᵀ·D");
                }
            }
        });
    }

    private static void MultiplyInto(VectorWidth width, Operand a, Operand b, int m, int n, int k, float* c, int ldc,
        int cFloats, float fill)
    {
        new Span<float>(c, cFloats).Fill(fill);
        Multiply(width, a, b, m, n, k, c, ldc);
    }

    private static void AssertStored(float[] product, float* c, int rows, int columns, int ldc, int cFloats,
        float untouched, string what)
    {
        for (int i = 0; i < cFloats; i++)
        {
            int r = i / ldc, j = i % ldc;
            if (r < rows && j < columns)
            {
                Assert.True(product[(r * columns) + j] == c[i],
                    $"{what}: C[{r}, {j}] is {c[i]:R}, the model's {product[(r * columns) + j]:R}");
            }
            else
            {
                Assert.True(c[i] == untouched,
                    $"{what}: float {j - columns} after C[{r}, {columns - 1}] was written");
            }
        }
    }

    // C = X·W through the backend's GEMM on two threads, W read where it lies
    private static float[] Multiply(VectorWidth width, float[] x, float* w, int batch, int inputs, int outputs)
    {
        float[] c = new float[batch * outputs];
        fixed (float* xData = x, cData = c)
        {
            Multiply(width, new Operand(xData, inputs, 1), new Operand(w, outputs, 1), batch, outputs, inputs, cData,
                outputs);
        }
        return c;
    }

    // C[m, n] = A·B, C's rows ldc floats apart, through the backend's GEMM on two threads
    private static void Multiply(VectorWidth width, Operand a, Operand b, int m, int n, int k, float* c, int ldc)
    {
        using var pool = new WorkerPool(2);
        if (width == VectorWidth.Bits512)
        {
            using var gemm = new Gemm<V512>(pool);
            gemm.Multiply(m, n, k, a, b, c, ldc, Epilogue.None);
        }
        else
        {
            using var gemm = new Gemm<V256>(pool);
            gemm.Multiply(m, n, k, a, b, c, ldc, Epilogue.None);
        }
    }

    private delegate void FloatsAt(float* first);

    // runs body on floats floats whose last one ends where a page that can be neither read nor written begins, so an
    // access past them faults
    private static void BeforeGuardPage(int floats, FloatsAt body)
    {
        int pages = ((floats * sizeof(float)) + PageBytes - 1) / PageBytes;
        byte* region = Map((pages + 1) * PageBytes);
        try
        {
            Assert.Equal(0, Protect(region + ((nint)pages * PageBytes), PageBytes, ProtNone));
            body((float*)(region + ((nint)pages * PageBytes)) - floats);
        }
        finally
        {
            Assert.Equal(0, Unmap(region, (pages + 1) * PageBytes));
        }
    }

    private const int ProtRead = 1, ProtWrite = 2, ProtNone = 0, MapPrivate = 2, MapAnonymous = 0x20;

    private static byte* Map(int bytes)
    {
        nint address = mmap(0, (nuint)bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        Assert.NotEqual(-1, address);
        return (byte*)address;
    }

    private static int Protect(byte* address, int bytes, int protection) =>
        mprotect((nint)address, (nuint)bytes, protection);

    private static int Unmap(byte* address, int bytes) => munmap((nint)address, (nuint)bytes);

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint address, nuint length, int protection);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint address, nuint length);
}
