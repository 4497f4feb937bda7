using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        // a column-major A (Xᵀ) across all its panels at once, a step at a time; any other A panel by panel
        if (a.RowStride == 1 && rows > mr)
        {
            PackAByStep(a.Data + i0 + (k0 * a.ColStride), a.ColStride, rows, depth, mr, destination);
            return;
        }
        for (int p = 0; p < rows; p += mr)
        {
            int valid = Math.Min(mr, rows - p);
            float* panel = destination + ((nint)p * depth);
            float* source = a.Data + ((i0 + p) * a.RowStride) + (k0 * a.ColStride);
            Transpose(source, a.RowStride, a.ColStride, valid, depth, mr, panel);
        }
    }

    // the micro-panels of a column-major A (a step's rows contiguous, such as Xᵀ) step by step: each step's rows of the
    // whole block are read as one contiguous run, fetched a few steps ahead, where one panel at a time read 48 bytes
    // of each step (a new line, often a new page) and came back for the next 48 bytes a panel later
    private static void PackAByStep(float* source, nint stepStride, int rows, int depth, int mr, float* destination)
    {
        int whole = rows / mr, tail = rows - (whole * mr);
        nint panelStride = (nint)mr * depth;
        if (tail > 0)
        {
            new Span<float>(destination + (whole * panelStride), depth * mr).Clear();
        }
        for (int k = 0; k < depth; k++)
        {
            float* step = source + (k * stepStride), to = destination + ((nint)k * mr);
            if (k + RowsAhead < depth && Sse.IsSupported)
            {
                PrefetchRun(step + (RowsAhead * stepStride), rows);
            }
            // the width tested once a step, not once a copy: one inline copy that tested it for each panel took a block
            // of Xᵀ 1.2 to 1.9 times as long (AVX-512 Zen 5, alternated processes)
            if (mr == 12 && Vector256.IsHardwareAccelerated)
            {
                for (int p = 0; p < whole; p++)
                {
                    Copy12(step + (p * 12), to + (p * panelStride));
                }
            }
            else
            {
                for (int p = 0; p < whole; p++)
                {
                    Copy(step + (p * mr), to + (p * panelStride), mr);
                }
            }
            if (tail > 0)
            {
                Copy(step + (whole * mr), to + (whole * panelStride), tail);
            }
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

    /// <summary>
    /// Packs <paramref name="panels"/> whole micro-panels of a row-major <paramref name="b"/> (columns
    /// [j0, j0 + panels·nr), depth [k0, k0 + depth)), <paramref name="panelStride"/> floats apart in the destination,
    /// row by row: each row's columns are read once, contiguously, rather than one panel's 64 bytes per row at a time.
    /// </summary>
    public static void PackBRows(Operand b, int k0, int depth, int j0, int panels, int nr, float* destination,
        nint panelStride)
    {
        for (int k = 0; k < depth; k++)
        {
            float* row = b.Data + ((k0 + k) * b.RowStride) + j0, step = destination + ((nint)k * nr);
            // a group's run of a row is a few cache lines and the next run is a row further on, often a new page,
            // which the hardware prefetcher does not follow: packing waited on memory for each row in turn
            float* ahead = k + RowsAhead < depth ? row + (RowsAhead * b.RowStride) : null;
            for (int p = 0; p < panels; p++)
            {
                if (ahead != null && Sse.IsSupported)
                {
                    PrefetchRun(ahead + (p * nr), nr);
                }
                CopyPanelStep(row + (p * nr), step + (p * panelStride), nr);
            }
        }
    }

    // a micro-panel's step of B (2V floats) in two vector moves, inline, where Copy's loops cost a call and their
    // branches for each 128 bytes
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPanelStep(float* from, float* to, int nr)
    {
        if (nr == 32 && Vector512.IsHardwareAccelerated)
        {
            Vector512.Load(from).Store(to);
            Vector512.Load(from + 16).Store(to + 16);
        }
        else
        {
            Copy(from, to, nr);
        }
    }

    // how far ahead PackBRows fetches: 4 and 8 rows measured alike on a cold B, a few runs cover a DRAM latency
    private const int RowsAhead = 4;

    /// <summary>Asks for every cache line of floats [run, run + count) in turn, the last float's line included (only
    /// where <see cref="Sse.IsSupported"/>): into L1, or with <paramref name="intoL2"/> into L2 only, for lines used
    /// too late to stay in L1.</summary>
    internal static void PrefetchRun(float* run, int count, bool intoL2 = false)
    {
        for (int i = 0; i < count; i += 16)
        {
            Prefetch(run + i, intoL2);
        }
        Prefetch(run + count - 1, intoL2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(float* line, bool intoL2)
    {
        if (intoL2)
        {
            Sse.Prefetch1(line);
        }
        else
        {
            Sse.Prefetch0(line);
        }
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
                Copy(source + (k * stepStride), destination + ((nint)k * width), lines);
            }
        }
        else if (stepStride == 1 && lines == 12 && width == 12 && Avx512F.IsSupported)
        {
            Transpose12(source, lineStride, depth, destination);
        }
        else if (stepStride == 1 && Sse.IsSupported)
        {
            int r = 0;
            // 16×16 blocks where a step's 16 floats fill a cache line (B's 32-wide panels of a transposed B, such as
            // Wᵀ in dX = dZ·Wᵀ)
            if (Avx512F.IsSupported && width % 16 == 0)
            {
                for (; r <= lines - 16; r += 16)
                {
                    Transpose16(source + (r * lineStride), lineStride, depth, width, destination + r);
                }
            }
            // 8×8 blocks where a step's 8 floats land on a 32-byte boundary (B's panels, 16 or 32 wide); into A's
            // 12-wide panels their stores would straddle cache lines, and 4×4 blocks measured faster there
            if (Avx.IsSupported && width % 8 == 0)
            {
                for (; r <= lines - 8; r += 8)
                {
                    Transpose8(source + (r * lineStride), lineStride, depth, width, destination + r);
                }
            }
            for (; r <= lines - 4; r += 4)
            {
                Transpose4(source + (r * lineStride), lineStride, depth, width, destination + r);
            }
            if (r <= lines - 2)
            {
                // the last 2 of MR = 6 rows in SSE too, rather than one float at a time
                Transpose2(source + (r * lineStride), lineStride, depth, width, destination + r);
                r += 2;
            }
            Scalar(source + (r * lineStride), lineStride, stepStride, r, lines, depth, width, destination);
        }
        else
        {
            Scalar(source, lineStride, stepStride, 0, lines, depth, width, destination);
        }
    }

    private static void Scalar(float* source, nint lineStride, nint stepStride, int firstLine, int lines, int depth,
        int width, float* destination)
    {
        // read each line contiguously, write with stride width within the panel
        for (int r = firstLine; r < lines; r++)
        {
            float* from = source + ((r - firstLine) * lineStride), to = destination + r;
            for (int k = 0; k < depth; k++)
            {
                to[(nint)k * width] = from[k * stepStride];
            }
        }
    }

    // eight lines of a row-major source into eight lanes of every step: 8×8 register transposes (pairs interleaved,
    // then pairs of pairs within each 128-bit half, then the halves swapped between registers)
    private static void Transpose8(float* source, nint lineStride, int depth, int width, float* destination)
    {
        int k = 0;
        for (; k <= depth - 8; k += 8)
        {
            float* s = source + k;
            Vector256<float> r0 = Vector256.Load(s), r1 = Vector256.Load(s + lineStride);
            Vector256<float> r2 = Vector256.Load(s + (2 * lineStride)), r3 = Vector256.Load(s + (3 * lineStride));
            Vector256<float> r4 = Vector256.Load(s + (4 * lineStride)), r5 = Vector256.Load(s + (5 * lineStride));
            Vector256<float> r6 = Vector256.Load(s + (6 * lineStride)), r7 = Vector256.Load(s + (7 * lineStride));
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            // u0: steps 0 and 4 of lines 0-3; u1: steps 1 and 5; u2: 2 and 6; u3: 3 and 7; u4-u7 the same of lines 4-7
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* to = destination + ((nint)k * width);
            Avx.Permute2x128(u0, u4, 0x20).Store(to);
            Avx.Permute2x128(u1, u5, 0x20).Store(to + width);
            Avx.Permute2x128(u2, u6, 0x20).Store(to + (2 * width));
            Avx.Permute2x128(u3, u7, 0x20).Store(to + (3 * width));
            Avx.Permute2x128(u0, u4, 0x31).Store(to + (4 * width));
            Avx.Permute2x128(u1, u5, 0x31).Store(to + (5 * width));
            Avx.Permute2x128(u2, u6, 0x31).Store(to + (6 * width));
            Avx.Permute2x128(u3, u7, 0x31).Store(to + (7 * width));
        }
        Scalar(source + k, lineStride, 1, 0, 8, depth - k, width, destination + ((nint)k * width));
    }

    // sixteen lines of a row-major source into sixteen lanes of every step, 16 steps at a time: within each group of
    // four lines the 4×4 in-lane transposes of Group4 (lane L of vector j: step 4L + j of those lines), then two
    // rounds of 128-bit lane shuffles gather step k of all four groups into one vector, stored as one cache line
    private static void Transpose16(float* source, nint lineStride, int depth, int width, float* destination)
    {
        int k = 0;
        for (; k <= depth - 16; k += 16)
        {
            float* s = source + k;
            // v{g}{j}: group g's lines, lane L holding step 4L + j
            (Vector512<float> v00, Vector512<float> v01, Vector512<float> v02, Vector512<float> v03) = Group4(s, lineStride);
            (Vector512<float> v10, Vector512<float> v11, Vector512<float> v12, Vector512<float> v13) = Group4(s + (4 * lineStride), lineStride);
            (Vector512<float> v20, Vector512<float> v21, Vector512<float> v22, Vector512<float> v23) = Group4(s + (8 * lineStride), lineStride);
            (Vector512<float> v30, Vector512<float> v31, Vector512<float> v32, Vector512<float> v33) = Group4(s + (12 * lineStride), lineStride);
            float* to = destination + ((nint)k * width);
            StoreSteps(v00, v10, v20, v30, to, width);
            StoreSteps(v01, v11, v21, v31, to + width, width);
            StoreSteps(v02, v12, v22, v32, to + (2 * width), width);
            StoreSteps(v03, v13, v23, v33, to + (3 * width), width);
        }
        if (k < depth)
        {
            Transpose8(source + k, lineStride, depth - k, width, destination + ((nint)k * width));
            Transpose8(source + (8 * lineStride) + k, lineStride, depth - k, width, destination + ((nint)k * width) + 8);
        }
    }

    // four lines' 16 steps, transposed 4×4 within each 128-bit lane: vector j's lane L holds step 4L + j of the lines
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>, Vector512<float>, Vector512<float>) Group4(float* s,
        nint lineStride)
    {
        Vector512<float> r0 = Vector512.Load(s), r1 = Vector512.Load(s + lineStride);
        Vector512<float> r2 = Vector512.Load(s + (2 * lineStride)), r3 = Vector512.Load(s + (3 * lineStride));
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackLow(r2, r3);
        Vector512<float> t2 = Avx512F.UnpackHigh(r0, r1), t3 = Avx512F.UnpackHigh(r2, r3);
        return (Avx512F.Shuffle(t0, t1, 0x44), Avx512F.Shuffle(t0, t1, 0xEE), Avx512F.Shuffle(t2, t3, 0x44),
            Avx512F.Shuffle(t2, t3, 0xEE));
    }

    // the four groups' vectors j (lane L: step 4L + j) to steps j, j + 4, j + 8 and j + 12 of all sixteen lines
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSteps(Vector512<float> g0, Vector512<float> g1, Vector512<float> g2, Vector512<float> g3,
        float* to, int width)
    {
        // lanes 0 and 2 of each operand (0x88), or 1 and 3 (0xDD): steps j and j + 8 of groups 0–1 and 2–3, then
        // j + 4 and j + 12
        Vector512<float> low01 = Avx512F.Shuffle4x128(g0, g1, 0x88), low23 = Avx512F.Shuffle4x128(g2, g3, 0x88);
        Vector512<float> high01 = Avx512F.Shuffle4x128(g0, g1, 0xDD), high23 = Avx512F.Shuffle4x128(g2, g3, 0xDD);
        Avx512F.Shuffle4x128(low01, low23, 0x88).Store(to);
        Avx512F.Shuffle4x128(high01, high23, 0x88).Store(to + (4 * width));
        Avx512F.Shuffle4x128(low01, low23, 0xDD).Store(to + (8 * width));
        Avx512F.Shuffle4x128(high01, high23, 0xDD).Store(to + (12 * width));
    }

    // twelve lines of a row-major source into a 12-wide panel (AVX-512's A panels), 16 steps at a time: each group of
    // four lines is loaded as four 512-bit vectors and transposed 4×4 within each 128-bit lane (Group4), so that lane
    // L of vector j holds step 4L + j of those four lines, stored where that step's group goes; a fourth of the loads
    // and shuffles of four-line 128-bit transposes, and all twelve lines read together, one pass over the panel
    private static void Transpose12(float* source, nint lineStride, int depth, float* destination)
    {
        int k = 0;
        for (; k <= depth - 16; k += 16)
        {
            float* to = destination + ((nint)k * 12);
            for (int g = 0; g < 3; g++)
            {
                (Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3) =
                    Group4(source + (4 * g * lineStride) + k, lineStride);
                StoreLanes(v0, to + (4 * g));
                StoreLanes(v1, to + 12 + (4 * g));
                StoreLanes(v2, to + 24 + (4 * g));
                StoreLanes(v3, to + 36 + (4 * g));
            }
        }
        if (k < depth)
        {
            for (int g = 0; g < 3; g++)
            {
                Transpose4(source + (4 * g * lineStride) + k, lineStride, depth - k, 12,
                    destination + ((nint)k * 12) + (4 * g));
            }
        }
    }

    // a vector's four 128-bit lanes to steps 0, 4, 8 and 12 of a 12-wide panel from to
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreLanes(Vector512<float> steps, float* to)
    {
        steps.GetLower().GetLower().Store(to);
        Avx512F.ExtractVector128(steps, 1).Store(to + 48);
        Avx512F.ExtractVector128(steps, 2).Store(to + 96);
        Avx512F.ExtractVector128(steps, 3).Store(to + 144);
    }

    // four lines of a row-major source into four lanes of every step: 4×4 register transposes
    private static void Transpose4(float* source, nint lineStride, int depth, int width, float* destination)
    {
        float* s0 = source, s1 = source + lineStride, s2 = source + (2 * lineStride), s3 = source + (3 * lineStride);
        int k = 0;
        for (; k <= depth - 4; k += 4)
        {
            Vector128<float> r0 = Vector128.Load(s0 + k), r1 = Vector128.Load(s1 + k);
            Vector128<float> r2 = Vector128.Load(s2 + k), r3 = Vector128.Load(s3 + k);
            Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
            Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);
            float* to = destination + ((nint)k * width);
            Sse.MoveLowToHigh(t0, t1).Store(to);
            Sse.MoveHighToLow(t1, t0).Store(to + width);
            Sse.MoveLowToHigh(t2, t3).Store(to + (2 * width));
            Sse.MoveHighToLow(t3, t2).Store(to + (3 * width));
        }
        for (; k < depth; k++)
        {
            float* to = destination + ((nint)k * width);
            to[0] = s0[k];
            to[1] = s1[k];
            to[2] = s2[k];
            to[3] = s3[k];
        }
    }

    // two lines of a row-major source into two lanes of every step: interleaved in pairs, each pair stored as 64 bits
    private static void Transpose2(float* source, nint lineStride, int depth, int width, float* destination)
    {
        float* s0 = source, s1 = source + lineStride;
        int k = 0;
        for (; k <= depth - 4; k += 4)
        {
            Vector128<float> r0 = Vector128.Load(s0 + k), r1 = Vector128.Load(s1 + k);
            Vector128<float> low = Sse.UnpackLow(r0, r1), high = Sse.UnpackHigh(r0, r1);
            float* to = destination + ((nint)k * width);
            Sse.StoreLow(to, low);
            Sse.StoreHigh(to + width, low);
            Sse.StoreLow(to + (2 * width), high);
            Sse.StoreHigh(to + (3 * width), high);
        }
        for (; k < depth; k++)
        {
            float* to = destination + ((nint)k * width);
            to[0] = s0[k];
            to[1] = s1[k];
        }
    }

    // a 12-row micro-panel's step in two moves, inline: through Copy it was a call and its loops' checks for 48
    // bytes, 8 of them a step when packing a block of Xᵀ
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy12(float* from, float* to)
    {
        Vector256.Load(from).Store(to);
        Vector128.Load(from + 8).Store(to + 8);
    }

    private static void Copy(float* from, float* to, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= count - 16; i += 16)
            {
                Vector512.Load(from + i).Store(to + i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - 8; i += 8)
            {
                Vector256.Load(from + i).Store(to + i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= count - 4; i += 4)
            {
                Vector128.Load(from + i).Store(to + i);
            }
        }
        for (; i < count; i++)
        {
            to[i] = from[i];
        }
    }
}
