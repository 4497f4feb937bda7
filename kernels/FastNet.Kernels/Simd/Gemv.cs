using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// The batch-1 (per-example) layer: GEMV-shaped, streaming W once per op straight from its row-major layout, with no
/// packing. Each routine takes a range of W's rows, so the backend can give large layers' rows to several threads
/// (small ones stay on the caller: waking a worker costs more than it saves).
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>y[j] = Σ_i x[i]·W[i, j] for the row vector x [inputs] and W [inputs, outputs]. Overwrites y.</summary>
    /// <remarks>Each column's sum is one chain of multiply-adds in row order, however many columns a loop takes at a
    /// time, so the blocking decides the speed and never the bits.</remarks>
    public static void RowTimesMatrix<TV>(float* x, float* w, int inputs, int outputs, float* y)
        where TV : unmanaged, IVec<TV>
    {
        int c = TV.Count, j = 0;
        if (outputs < c && TV.MasksLanes)
        {
            NarrowColumns<TV>(x, w, inputs, outputs, y);
            return;
        }
        // the columns past the last block of four vectors, with a tail, go first and as one interleaved sweep: the
        // tail's vector overlaps columns that the later stores overwrite
        int rest = outputs % (4 * c);
        bool lastInOneSweep = rest % c != 0 && outputs >= c;
        if (lastInOneSweep)
        {
            LastColumns<TV>(x, w, inputs, outputs, y, outputs - rest);
        }
        // eight chains in flight: a multiply-add's latency is several cycles and two issue per cycle, so four chains
        // left the FMA units idle more than half the time
        for (; j <= outputs - (8 * c); j += 8 * c)
        {
            TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero, a3 = TV.Zero;
            TV a4 = TV.Zero, a5 = TV.Zero, a6 = TV.Zero, a7 = TV.Zero;
            float* column = w + j;
            for (int i = 0; i < inputs; i++, column += outputs)
            {
                TV xi = TV.Splat(x[i]);
                a0 = TV.MulAdd(xi, TV.Load(column), a0);
                a1 = TV.MulAdd(xi, TV.Load(column + c), a1);
                a2 = TV.MulAdd(xi, TV.Load(column + (2 * c)), a2);
                a3 = TV.MulAdd(xi, TV.Load(column + (3 * c)), a3);
                a4 = TV.MulAdd(xi, TV.Load(column + (4 * c)), a4);
                a5 = TV.MulAdd(xi, TV.Load(column + (5 * c)), a5);
                a6 = TV.MulAdd(xi, TV.Load(column + (6 * c)), a6);
                a7 = TV.MulAdd(xi, TV.Load(column + (7 * c)), a7);
            }
            TV.Store(a0, y + j);
            TV.Store(a1, y + j + c);
            TV.Store(a2, y + j + (2 * c));
            TV.Store(a3, y + j + (3 * c));
            TV.Store(a4, y + j + (4 * c));
            TV.Store(a5, y + j + (5 * c));
            TV.Store(a6, y + j + (6 * c));
            TV.Store(a7, y + j + (7 * c));
        }
        for (; j <= outputs - (4 * c); j += 4 * c)
        {
            TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero, a3 = TV.Zero;
            float* column = w + j;
            for (int i = 0; i < inputs; i++, column += outputs)
            {
                TV xi = TV.Splat(x[i]);
                a0 = TV.MulAdd(xi, TV.Load(column), a0);
                a1 = TV.MulAdd(xi, TV.Load(column + c), a1);
                a2 = TV.MulAdd(xi, TV.Load(column + (2 * c)), a2);
                a3 = TV.MulAdd(xi, TV.Load(column + (3 * c)), a3);
            }
            TV.Store(a0, y + j);
            TV.Store(a1, y + j + c);
            TV.Store(a2, y + j + (2 * c));
            TV.Store(a3, y + j + (3 * c));
        }
        if (!lastInOneSweep)
        {
            j = Columns<TV>(x, w, inputs, outputs, y, j);
            Columns<V1>(x, w, inputs, outputs, y, j);
        }
    }

    /// <summary>
    /// Columns j.. (fewer than four vectors and a tail that fills no whole vector; outputs at least one vector) in one
    /// sweep over the rows, their chains interleaved rather than one after another. The tail is summed in the vector
    /// that ends with the row, each lane with the scalar path's arithmetic (a product, then a sum: no fused
    /// multiply-add), and is stored before the vector columns, which overwrite the lanes it shares with them.
    /// </summary>
    private static void LastColumns<TV>(float* x, float* w, int inputs, int outputs, float* y, int j)
        where TV : unmanaged, IVec<TV>
    {
        int c = TV.Count, vectors = (outputs - j) / c, last = outputs - c;
        TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero, tail = TV.Zero;
        float* row = w;
        for (int i = 0; i < inputs; i++, row += outputs)
        {
            TV xi = TV.Splat(x[i]);
            tail = (xi * TV.Load(row + last)) + tail;
            if (vectors > 0)
            {
                a0 = TV.MulAdd(xi, TV.Load(row + j), a0);
            }
            if (vectors > 1)
            {
                a1 = TV.MulAdd(xi, TV.Load(row + j + c), a1);
            }
            if (vectors > 2)
            {
                a2 = TV.MulAdd(xi, TV.Load(row + j + (2 * c)), a2);
            }
        }
        TV.Store(tail, y + last);
        if (vectors > 0)
        {
            TV.Store(a0, y + j);
        }
        if (vectors > 1)
        {
            TV.Store(a1, y + j + c);
        }
        if (vectors > 2)
        {
            TV.Store(a2, y + j + (2 * c));
        }
    }

    // Every column of a W narrower than one vector (a 10-wide output layer under 16 lanes) in the lanes of one vector,
    // each lane the scalar path's chain (a product, then a sum: no fused multiply-add) in row order, so one sweep of
    // masked row loads instead of one chain per column after another
    private static void NarrowColumns<TV>(float* x, float* w, int inputs, int outputs, float* y)
        where TV : unmanaged, IVec<TV>
    {
        TV sums = TV.Zero;
        float* row = w;
        for (int i = 0; i < inputs; i++, row += outputs)
        {
            sums = (TV.Splat(x[i]) * TV.LoadFirst(row, outputs)) + sums;
        }
        TV.StoreFirst(sums, y, outputs);
    }

    private static int Columns<TV>(float* x, float* w, int inputs, int outputs, float* y, int j)
        where TV : unmanaged, IVec<TV>
    {
        for (; j <= outputs - TV.Count; j += TV.Count)
        {
            TV a = TV.Zero;
            float* column = w + j;
            for (int i = 0; i < inputs; i++, column += outputs)
            {
                a = TV.MulAdd(TV.Splat(x[i]), TV.Load(column), a);
            }
            TV.Store(a, y + j);
        }
        return j;
    }

    /// <summary>
    /// One sweep over W's rows for the backward pass of one example: dW[i, :] = x[i]·dz (overwrites) and, when dX is
    /// not null, dX[i] = Σ_j W[i, j]·dz[j] (overwrites).
    /// </summary>
    public static void OuterAndMatrixTimesColumn<TV>(float* x, float* w, float* dz, int inputs, int outputs,
        float* dW, float* dX) where TV : unmanaged, IVec<TV>
    {
        if (outputs < TV.Count && TV.MasksLanes)
        {
            // a row narrower than one vector: the dot products as NarrowRows sums them, each row of dW one masked store
            if (dX != null)
            {
                NarrowDotProducts<TV>(w, dz, inputs, outputs, dX);
            }
            TV d = TV.LoadFirst(dz, outputs);
            for (int i = 0; i < inputs; i++)
            {
                TV.StoreFirst(TV.Splat(x[i]) * d, dW + ((nint)i * outputs), outputs);
            }
            return;
        }
        for (int i = 0; i < inputs; i++)
        {
            float* wRow = w + ((nint)i * outputs), dWRow = dW + ((nint)i * outputs);
            float xi = x[i];
            (int j, float dot) = Row<TV>(xi, wRow, dz, dWRow, 0, outputs, dX != null);
            (_, float tail) = Row<V1>(xi, wRow, dz, dWRow, j, outputs, dX != null);
            if (dX != null)
            {
                dX[i] = dot + tail;
            }
        }
    }

    /// <summary>
    /// The same sweep fused with plain SGD, for a layer whose gradient nobody reads: dX[i] = Σ_j W[i, j]·dz[j] with the
    /// weights before the update (skipped when dX is null), and W[i, :] updated as
    /// <see cref="OptimizerOps.Step{TV}"/> would update it from dW[i, :] = x[i]·dz, element for element, without
    /// writing dW. A row's last elements that fill no whole vector get the same vector arithmetic as that pass's
    /// zero-padded tail gives them.
    /// </summary>
    public static void OuterSgdAndMatrixTimesColumn<TV>(float* x, float* w, float* dz, int inputs, int outputs,
        in OptimizerCoefficients k, float* dX) where TV : unmanaged, IVec<TV>
    {
        if (k.Wd == 0)
        {
            OuterSgdAndMatrixTimesColumn<TV, Undecayed>(x, w, dz, inputs, outputs, k, dX);
        }
        else
        {
            OuterSgdAndMatrixTimesColumn<TV, Decayed>(x, w, dz, inputs, outputs, k, dX);
        }
    }

    private static void OuterSgdAndMatrixTimesColumn<TV, TDecay>(float* x, float* w, float* dz, int inputs,
        int outputs, in OptimizerCoefficients k, float* dX) where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        int whole = outputs - (outputs % TV.Count), tail = outputs - whole;
        // η and λ in registers, and no call anywhere in the row loop (a call would make the JIT keep x[i] on the
        // stack across it): the loop then loads only dz and W per vector
        TV lr = TV.Splat(k.Lr), wd = TV.Splat(k.Wd);
        if (whole == 0)
        {
            NarrowRows<TV, TDecay>(x, w, dz, inputs, outputs, k.Lr, k.Wd, dX);
            return;
        }
        // a row at least one vector long updates its tail in the vector that ends with the row: lane by lane the
        // same arithmetic as on the zero-padded tail, read before the row's other stores (a load overlapping a
        // store still in flight would wait for it) and without the padded copy's scalar stores and vector reload
        int last = outputs - TV.Count;
        TV dzLast = TV.Load(dz + last);
        int paired = dX != null ? PairsWithDotProducts<TV, TDecay>(x, w, dz, inputs, outputs, last, dzLast, lr, wd, dX)
            : 0;
        for (int i = paired; i < inputs; i++)
        {
            float* wRow = w + ((nint)i * outputs);
            TV xi = TV.Splat(x[i]), sum = TV.Zero, updatedLast = TV.Zero;
            if (tail > 0)
            {
                updatedLast = OptimizerOps.Sgd<TV, TDecay>(lr, wd, xi * dzLast, TV.Load(wRow + last));
            }
            if (dX != null)
            {
                // the tail's dot product in scalars, as the unfused sweep sums it, from W before the update
                V1 tailSum = V1.Zero;
                for (int j = whole; j < outputs; j++)
                {
                    tailSum = V1.MulAdd(V1.Load(wRow + j), V1.Load(dz + j), tailSum);
                }
                for (int j = 0; j < whole; j += TV.Count)
                {
                    TV d = TV.Load(dz + j), p = TV.Load(wRow + j);
                    sum = TV.MulAdd(p, d, sum);
                    TV.Store(OptimizerOps.Sgd<TV, TDecay>(lr, wd, xi * d, p), wRow + j);
                }
                dX[i] = TV.Sum(sum) + V1.Sum(tailSum);
            }
            else
            {
                for (int j = 0; j < whole; j += TV.Count)
                {
                    TV d = TV.Load(dz + j), p = TV.Load(wRow + j);
                    TV.Store(OptimizerOps.Sgd<TV, TDecay>(lr, wd, xi * d, p), wRow + j);
                }
            }
            if (tail > 0)
            {
                // after the row's loads: the lanes it shares with the last whole vector hold the same bits as that
                // vector's update, and the row needs no copy through the stack
                TV.Store(updatedLast, wRow + last);
            }
        }
    }

    // The rows of OuterSgdAndMatrixTimesColumn when a row is narrower than one vector (a 10-wide output layer under 16
    // lanes): dX first, from W before the update; then each row's update on the zero-padded vector of its elements,
    // loaded and stored under a mask where the width has one (a copy through the stack would cost more: a vector load
    // cannot take the copy's scalar stores forwarded, and waits for them).
    private static void NarrowRows<TV, TDecay>(float* x, float* w, float* dz, int inputs, int outputs,
        float learningRate, float weightDecay, float* dX) where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        if (dX != null)
        {
            NarrowDotProducts<TV>(w, dz, inputs, outputs, dX);
        }
        // the vectors made here, not passed in: passed as arguments, they lived in stack slots that the loop stored
        // back and reloaded on every row, a chain through memory that took 5.5 ns a row (128 × 10, AVX-512 Zen 5)
        TV lr = TV.Splat(learningRate), wd = TV.Splat(weightDecay), dzPadded = TV.LoadFirst(dz, outputs);
        // each row loaded before the row above it is stored: a masked store's whole vector overlaps the next row,
        // and a load behind it would wait for the store to complete
        TV next = TV.LoadFirst(w, outputs);
        for (int i = 0; i < inputs; i++)
        {
            float* row = w + ((nint)i * outputs);
            TV current = next;
            if (i + 1 < inputs)
            {
                next = TV.LoadFirst(row + outputs, outputs);
            }
            TV.StoreFirst(OptimizerOps.Sgd<TV, TDecay>(lr, wd, TV.Splat(x[i]) * dzPadded, current), row, outputs);
        }
    }

    // dX[i] = Σ_j W[i, j]·dz[j] for rows narrower than one vector: each row one scalar chain in column order (as the
    // row loops sum a row's tail), eight rows' chains interleaved so their latencies overlap (each add waits for the
    // last, so four chains left the adders idle most of the time), then four, then one
    private static void NarrowDotProducts<TV>(float* w, float* dz, int inputs, int outputs, float* dX)
        where TV : unmanaged, IVec<TV>
    {
        float noWholeVectors = TV.Sum(TV.Zero);
        int i = 0;
        nint o = outputs;
        for (; i + 7 < inputs; i += 8)
        {
            float* row = w + ((nint)i * outputs);
            V1 sum0 = V1.Zero, sum1 = V1.Zero, sum2 = V1.Zero, sum3 = V1.Zero;
            V1 sum4 = V1.Zero, sum5 = V1.Zero, sum6 = V1.Zero, sum7 = V1.Zero;
            for (int j = 0; j < outputs; j++)
            {
                V1 d = V1.Load(dz + j);
                float* p = row + j;
                sum0 = V1.MulAdd(V1.Load(p), d, sum0);
                sum1 = V1.MulAdd(V1.Load(p + o), d, sum1);
                sum2 = V1.MulAdd(V1.Load(p + (2 * o)), d, sum2);
                sum3 = V1.MulAdd(V1.Load(p + (3 * o)), d, sum3);
                sum4 = V1.MulAdd(V1.Load(p + (4 * o)), d, sum4);
                sum5 = V1.MulAdd(V1.Load(p + (5 * o)), d, sum5);
                sum6 = V1.MulAdd(V1.Load(p + (6 * o)), d, sum6);
                sum7 = V1.MulAdd(V1.Load(p + (7 * o)), d, sum7);
            }
            dX[i] = noWholeVectors + V1.Sum(sum0);
            dX[i + 1] = noWholeVectors + V1.Sum(sum1);
            dX[i + 2] = noWholeVectors + V1.Sum(sum2);
            dX[i + 3] = noWholeVectors + V1.Sum(sum3);
            dX[i + 4] = noWholeVectors + V1.Sum(sum4);
            dX[i + 5] = noWholeVectors + V1.Sum(sum5);
            dX[i + 6] = noWholeVectors + V1.Sum(sum6);
            dX[i + 7] = noWholeVectors + V1.Sum(sum7);
        }
        for (; i + 3 < inputs; i += 4)
        {
            float* row0 = w + ((nint)i * outputs), row1 = row0 + outputs, row2 = row1 + outputs;
            float* row3 = row2 + outputs;
            V1 sum0 = V1.Zero, sum1 = V1.Zero, sum2 = V1.Zero, sum3 = V1.Zero;
            for (int j = 0; j < outputs; j++)
            {
                V1 d = V1.Load(dz + j);
                sum0 = V1.MulAdd(V1.Load(row0 + j), d, sum0);
                sum1 = V1.MulAdd(V1.Load(row1 + j), d, sum1);
                sum2 = V1.MulAdd(V1.Load(row2 + j), d, sum2);
                sum3 = V1.MulAdd(V1.Load(row3 + j), d, sum3);
            }
            dX[i] = noWholeVectors + V1.Sum(sum0);
            dX[i + 1] = noWholeVectors + V1.Sum(sum1);
            dX[i + 2] = noWholeVectors + V1.Sum(sum2);
            dX[i + 3] = noWholeVectors + V1.Sum(sum3);
        }
        for (; i < inputs; i++)
        {
            float* row = w + ((nint)i * outputs);
            V1 sum = V1.Zero;
            for (int j = 0; j < outputs; j++)
            {
                sum = V1.MulAdd(V1.Load(row + j), V1.Load(dz + j), sum);
            }
            dX[i] = noWholeVectors + V1.Sum(sum);
        }
    }

    // The rows of OuterSgdAndMatrixTimesColumn with dX two at a time, for rows whose tail, if any, ends in a whole
    // vector: a row's dot product ends in a horizontal sum and a scalar chain whose latency one row alone leaves
    // exposed, so two rows' operations are interleaved, each row's exactly those of the single-row loop in its order.
    // Returns the number of rows done (the single-row loop takes the last one of an odd count).
    private static int PairsWithDotProducts<TV, TDecay>(float* x, float* w, float* dz, int inputs, int outputs,
        int last, TV dzLast, TV lr, TV wd, float* dX) where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        int whole = outputs - (outputs % TV.Count);
        bool tail = whole < outputs;
        int i = 0;
        for (; i + 1 < inputs; i += 2)
        {
            float* row0 = w + ((nint)i * outputs), row1 = row0 + outputs;
            TV x0 = TV.Splat(x[i]), x1 = TV.Splat(x[i + 1]), last0 = TV.Zero, last1 = TV.Zero;
            V1 tail0 = V1.Zero, tail1 = V1.Zero;
            if (tail)
            {
                last0 = OptimizerOps.Sgd<TV, TDecay>(lr, wd, x0 * dzLast, TV.Load(row0 + last));
                last1 = OptimizerOps.Sgd<TV, TDecay>(lr, wd, x1 * dzLast, TV.Load(row1 + last));
                for (int j = whole; j < outputs; j++)
                {
                    V1 d = V1.Load(dz + j);
                    tail0 = V1.MulAdd(V1.Load(row0 + j), d, tail0);
                    tail1 = V1.MulAdd(V1.Load(row1 + j), d, tail1);
                }
            }
            TV sum0 = TV.Zero, sum1 = TV.Zero;
            for (int j = 0; j < whole; j += TV.Count)
            {
                TV d = TV.Load(dz + j), p0 = TV.Load(row0 + j), p1 = TV.Load(row1 + j);
                sum0 = TV.MulAdd(p0, d, sum0);
                sum1 = TV.MulAdd(p1, d, sum1);
                TV.Store(OptimizerOps.Sgd<TV, TDecay>(lr, wd, x0 * d, p0), row0 + j);
                TV.Store(OptimizerOps.Sgd<TV, TDecay>(lr, wd, x1 * d, p1), row1 + j);
            }
            dX[i] = TV.Sum(sum0) + V1.Sum(tail0);
            dX[i + 1] = TV.Sum(sum1) + V1.Sum(tail1);
            if (tail)
            {
                TV.Store(last0, row0 + last);
                TV.Store(last1, row1 + last);
            }
        }
        return i;
    }

    /// <summary>
    /// <see cref="OuterSgdAndMatrixTimesColumn{TV}"/> without dX, for the earlier example (xPrevious, dz), fused with
    /// <see cref="RowTimesMatrix{TV}"/> of the next one (x) on the updated rows: each row is updated, then added into y
    /// while it is still in L1, so W is streamed once instead of twice. Every weight gets the update of that sweep, and
    /// every column of y the same chain of multiply-adds in row order as <see cref="RowTimesMatrix{TV}"/> gives it (vector
    /// columns fused, the columns after the last whole vector in scalars), so the same bits. Overwrites y.
    /// </summary>
    public static void OuterSgdThenRowTimesMatrix<TV>(float* xPrevious, float* w, float* dz, int inputs, int outputs,
        in OptimizerCoefficients k, float* x, float* y) where TV : unmanaged, IVec<TV>
    {
        if (k.Wd == 0)
        {
            OuterSgdThenRowTimesMatrix<TV, Undecayed>(xPrevious, w, dz, inputs, outputs, k, x, y);
        }
        else
        {
            OuterSgdThenRowTimesMatrix<TV, Decayed>(xPrevious, w, dz, inputs, outputs, k, x, y);
        }
    }

    private static void OuterSgdThenRowTimesMatrix<TV, TDecay>(float* xPrevious, float* w, float* dz, int inputs,
        int outputs, in OptimizerCoefficients k, float* x, float* y)
        where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        int c = TV.Count, tail = outputs % c, whole = outputs - tail, j = 0;
        if (whole == 0)
        {
            NarrowSgdThenSum<TV, TDecay>(xPrevious, w, dz, inputs, outputs, k.Lr, k.Wd, x, y);
            return;
        }
        // the vectors after the last whole block of four go in one sweep (SgdThenSumLastColumns), with the tail if
        // there is one; that sweep then takes one to four vectors, at least the one the tail's vector overlaps. One
        // vector a sweep, each sweep's chain waiting on its multiply-adds, took 784 × 112 1.4 times as long as
        // 784 × 128. With 32 vector registers (16 lanes, AVX-512) a row of five to eight vectors goes in that sweep
        // whole: 784 × 100 in two sweeps (four vectors, then two and the tail) took 1.34 times as long as 784 × 128,
        // in one 1.18
        int vectors = whole / c, last = tail == 0 ? vectors % 4 : 1 + ((vectors - 1) % 4);
        if (c >= 16 && vectors <= 8 && last > 0)
        {
            last = vectors;
        }
        int blocked = whole - (c * last);
        TV lr = TV.Splat(k.Lr), wd = TV.Splat(k.Wd);
        // blocks of columns, each swept over all the rows with its sums of y in registers, as RowTimesMatrix keeps
        // them: four rows at a time with y loaded and stored per row group spilled the row pointers and waited on the
        // sums' stores: 8.2–9.5 ns a 128-wide row, now 4.6 (784 × 128 on one thread, AVX-512 Zen 5)
        for (; j <= blocked - (8 * c); j += 8 * c)
        {
            SgdThenSumColumns<TV, TDecay>(xPrevious, w + j, dz + j, inputs, outputs, lr, wd, x, y + j, 8);
        }
        for (; j <= blocked - (4 * c); j += 4 * c)
        {
            SgdThenSumColumns<TV, TDecay>(xPrevious, w + j, dz + j, inputs, outputs, lr, wd, x, y + j, 4);
        }
        if (blocked < outputs)
        {
            SgdThenSumLastColumns<TV, TDecay>(xPrevious, w, dz, inputs, outputs, k.Lr, k.Wd, x, y, blocked);
        }
    }

    // `vectors` (4 or 8, a constant at each call) columns of vectors from w: each row updated, stored, then added
    // into its column's chain of multiply-adds, the chains in registers over all the rows
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SgdThenSumColumns<TV, TDecay>(float* xPrevious, float* w, float* dz, int inputs, int outputs,
        TV lr, TV wd, float* x, float* y, int vectors) where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        int c = TV.Count;
        TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero, a3 = TV.Zero, a4 = TV.Zero, a5 = TV.Zero, a6 = TV.Zero;
        TV a7 = TV.Zero;
        float* row = w;
        for (int i = 0; i < inputs; i++, row += outputs)
        {
            TV xi = TV.Splat(xPrevious[i]), next = TV.Splat(x[i]);
            a0 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz, row, a0);
            a1 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + c, row + c, a1);
            a2 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + (2 * c), row + (2 * c), a2);
            a3 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + (3 * c), row + (3 * c), a3);
            if (vectors > 4)
            {
                a4 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + (4 * c), row + (4 * c), a4);
                a5 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + (5 * c), row + (5 * c), a5);
                a6 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + (6 * c), row + (6 * c), a6);
                a7 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + (7 * c), row + (7 * c), a7);
            }
        }
        TV.Store(a0, y);
        TV.Store(a1, y + c);
        TV.Store(a2, y + (2 * c));
        TV.Store(a3, y + (3 * c));
        if (vectors > 4)
        {
            TV.Store(a4, y + (4 * c));
            TV.Store(a5, y + (5 * c));
            TV.Store(a6, y + (6 * c));
            TV.Store(a7, y + (7 * c));
        }
    }

    // one vector of a row: stepped, stored, and its product with the next example's input added to sum
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV SgdThenSum<TV, TDecay>(TV lr, TV wd, TV xi, TV next, float* dz, float* row, TV sum)
        where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        TV p = OptimizerOps.Sgd<TV, TDecay>(lr, wd, xi * TV.Load(dz), TV.Load(row));
        TV.Store(p, row);
        return TV.MulAdd(next, p, sum);
    }

    // Columns j.. to the end: one to eight whole vectors (more than four only at 16 lanes) and a tail that fills no
    // whole vector, if there is one, in one sweep over the rows. The tail is the vector that ends with the row, loaded before the whole
    // vectors' updates are stored, so the lanes it shares with them get the same update from the same weights, and
    // stored after them; its sums are the scalar path's (a product, then a sum: no fused multiply-add) and are stored
    // before the whole vectors', which overwrite the lanes they share. Before, each row's tail went lane by lane
    // through the stack into chains of y kept in memory: 784 × 100 took 3.4 times as long as 784 × 128 (one thread,
    // AVX-512 Zen 5), 784 × 10 5.2 times.
    private static void SgdThenSumLastColumns<TV, TDecay>(float* xPrevious, float* w, float* dz, int inputs,
        int outputs, float learningRate, float weightDecay, float* x, float* y, int j)
        where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        int c = TV.Count, vectors = (outputs - j) / c, last = outputs - c;
        bool tail = outputs % c != 0;
        // made here, not passed in: vectors passed to a method with a loop lived in stack slots (see NarrowRows)
        TV lr = TV.Splat(learningRate), wd = TV.Splat(weightDecay), dzLast = TV.Load(dz + last);
        TV a0 = TV.Zero, a1 = TV.Zero, a2 = TV.Zero, a3 = TV.Zero, a4 = TV.Zero, a5 = TV.Zero, a6 = TV.Zero;
        TV a7 = TV.Zero, tailSum = TV.Zero;
        float* row = w;
        for (int i = 0; i < inputs; i++, row += outputs)
        {
            TV xi = TV.Splat(xPrevious[i]), next = TV.Splat(x[i]), wLast = tail ? TV.Load(row + last) : TV.Zero;
            a0 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + j, row + j, a0);
            if (vectors > 1)
            {
                a1 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + j + c, row + j + c, a1);
            }
            if (vectors > 2)
            {
                a2 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + j + (2 * c), row + j + (2 * c), a2);
            }
            if (vectors > 3)
            {
                a3 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + j + (3 * c), row + j + (3 * c), a3);
            }
            if (vectors > 4)
            {
                a4 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + j + (4 * c), row + j + (4 * c), a4);
            }
            if (vectors > 5)
            {
                a5 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + j + (5 * c), row + j + (5 * c), a5);
            }
            if (vectors > 6)
            {
                a6 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + j + (6 * c), row + j + (6 * c), a6);
            }
            if (vectors > 7)
            {
                a7 = SgdThenSum<TV, TDecay>(lr, wd, xi, next, dz + j + (7 * c), row + j + (7 * c), a7);
            }
            if (tail)
            {
                TV p = OptimizerOps.Sgd<TV, TDecay>(lr, wd, xi * dzLast, wLast);
                TV.Store(p, row + last);
                tailSum = (next * p) + tailSum;
            }
        }
        if (tail)
        {
            TV.Store(tailSum, y + last);
        }
        TV.Store(a0, y + j);
        if (vectors > 1)
        {
            TV.Store(a1, y + j + c);
        }
        if (vectors > 2)
        {
            TV.Store(a2, y + j + (2 * c));
        }
        if (vectors > 3)
        {
            TV.Store(a3, y + j + (3 * c));
        }
        if (vectors > 4)
        {
            TV.Store(a4, y + j + (4 * c));
        }
        if (vectors > 5)
        {
            TV.Store(a5, y + j + (5 * c));
        }
        if (vectors > 6)
        {
            TV.Store(a6, y + j + (6 * c));
        }
        if (vectors > 7)
        {
            TV.Store(a7, y + j + (7 * c));
        }
    }

    // Every column of a W narrower than one vector in the lanes of one vector (masked where the width has masks),
    // each row loaded before the row above it is stored (see NarrowRows), each lane of y the scalar path's chain
    private static void NarrowSgdThenSum<TV, TDecay>(float* xPrevious, float* w, float* dz, int inputs, int outputs,
        float learningRate, float weightDecay, float* x, float* y)
        where TV : unmanaged, IVec<TV> where TDecay : IWeightDecayTerm
    {
        TV lr = TV.Splat(learningRate), wd = TV.Splat(weightDecay), dzPadded = TV.LoadFirst(dz, outputs);
        TV sums = TV.Zero, next = inputs > 0 ? TV.LoadFirst(w, outputs) : TV.Zero;
        for (int i = 0; i < inputs; i++)
        {
            float* row = w + ((nint)i * outputs);
            TV current = next;
            if (i + 1 < inputs)
            {
                next = TV.LoadFirst(row + outputs, outputs);
            }
            TV p = OptimizerOps.Sgd<TV, TDecay>(lr, wd, TV.Splat(xPrevious[i]) * dzPadded, current);
            TV.StoreFirst(p, row, outputs);
            sums = (TV.Splat(x[i]) * p) + sums;
        }
        TV.StoreFirst(sums, y, outputs);
    }

    private static (int End, float Dot) Row<TV>(float xi, float* wRow, float* dz, float* dWRow, int j, int n,
        bool dot) where TV : unmanaged, IVec<TV>
    {
        TV x = TV.Splat(xi), sum = TV.Zero;
        for (; j <= n - TV.Count; j += TV.Count)
        {
            TV d = TV.Load(dz + j);
            TV.Store(x * d, dWRow + j);
            if (dot)
            {
                sum = TV.MulAdd(TV.Load(wRow + j), d, sum);
            }
        }
        return (j, TV.Sum(sum));
    }
}
