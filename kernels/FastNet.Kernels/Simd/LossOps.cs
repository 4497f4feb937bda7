namespace FastNet.Kernels.Simd;

/// <summary>
/// Loss and ∂L/∂output per row: the gradient in float32 vectors, the row's loss summed in float32 lanes and added to
/// a float64 total, softmax's exponentials evaluated in float64 around the row maximum (and the log-sum-exp) so a
/// wide spread of logits costs no accuracy.
/// </summary>
internal static unsafe class LossOps
{
    /// <summary>Rows [0, batch): returns Σ ℓ and the number of rows whose output and target argmax agree; the gradient
    /// is of Σ ℓ / meanOver.</summary>
    public static (double Loss, int Correct) Run<TV>(float* output, float* targets, float* dOutput, int batch,
        int outputs, LossKind loss, int meanOver) where TV : unmanaged, IVec<TV>
    {
        double total = 0;
        int correct = 0;
        int r = 0;
        if (loss == LossKind.SoftmaxCrossEntropy && outputs < TV.Count)
        {
            float scale = (float)(1.0 / meanOver);
            for (; r + TV.Count <= batch; r += TV.Count)
            {
                float* d = dOutput == null ? null : dOutput + ((nint)r * outputs);
                CrossEntropyRowsInLanes<TV>(output + ((nint)r * outputs), targets + ((nint)r * outputs), d, outputs,
                    scale, ref total, ref correct);
            }
            for (; r + 1 < batch; r += 2)
            {
                float* o = output + ((nint)r * outputs), t = targets + ((nint)r * outputs);
                float* d = dOutput == null ? null : dOutput + ((nint)r * outputs);
                (double first, double second) = CrossEntropyTailPair<TV>(o, t, d, outputs, scale);
                total += first;
                total += second;
                correct += (ArgMax(o, outputs) == ArgMax(t, outputs) ? 1 : 0)
                    + (ArgMax(o + outputs, outputs) == ArgMax(t + outputs, outputs) ? 1 : 0);
            }
        }
        for (; r < batch; r++)
        {
            float* o = output + ((nint)r * outputs), t = targets + ((nint)r * outputs);
            float* d = dOutput == null ? null : dOutput + ((nint)r * outputs);
            total += loss switch
            {
                LossKind.HalfSquaredError => 0.5 * SquaredError<TV>(o, t, d, outputs, (float)(1.0 / meanOver)),
                LossKind.MeanSquaredError =>
                    SquaredError<TV>(o, t, d, outputs, (float)(2.0 / ((double)outputs * meanOver))) / outputs,
                LossKind.SoftmaxCrossEntropy => CrossEntropy<TV>(o, t, d, outputs, (float)(1.0 / meanOver)),
                _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss"),
            };
            if (ArgMax(o, outputs) == ArgMax(t, outputs))
            {
                correct++;
            }
        }
        return (total, correct);
    }

    // Σ (o − t)²; d = scale·(o − t)
    private static double SquaredError<TV>(float* o, float* t, float* d, int n, float scale)
        where TV : unmanaged, IVec<TV>
    {
        TV sum = TV.Zero;
        int k = 0;
        for (; k <= n - TV.Count; k += TV.Count)
        {
            TV diff = TV.Load(o + k) - TV.Load(t + k);
            sum = TV.MulAdd(diff, diff, sum);
            if (d != null)
            {
                TV.Store(diff * TV.Splat(scale), d + k);
            }
        }
        double total = TV.Sum(sum);
        for (; k < n; k++)
        {
            float diff = o[k] - t[k];
            total += diff * diff;
            if (d != null)
            {
                d[k] = diff * scale;
            }
        }
        return total;
    }

    // −Σ t log softmax(z) = Σ t·(lse − z); d = scale·(softmax(z) − t)
    private static double CrossEntropy<TV>(float* z, float* t, float* d, int n, float scale)
        where TV : unmanaged, IVec<TV>
    {
        float max = z[0];
        for (int k = 1; k < n; k++)
        {
            max = Math.Max(max, z[k]);
        }
        int whole = n - (n % TV.Count);
        double sumExp = SumExp<TV>(z, n, max) + SumExpOfTail<TV>(z + whole, n - whole, max);
        double lse = max + Math.Log(sumExp);
        double loss = Gradient<TV>(z, t, d, n, scale, lse);
        if (whole < n)
        {
            loss += GradientOfTail<TV>(z + whole, t + whole, d == null ? null : d + whole, n - whole, scale, lse);
        }
        return loss;
    }

    // CrossEntropy of two consecutive rows narrower than one vector (all of each row its tail), each row's operations
    // exactly CrossEntropy's in its order, the two rows' interleaved: one row is a chain of dependent steps (its
    // maximum, its exponentials and their sum, the logarithm, the loss's sum) that leaves the core mostly idle
    private static (double First, double Second) CrossEntropyTailPair<TV>(float* z, float* t, float* d, int n,
        float scale) where TV : unmanaged, IVec<TV>
    {
        float* z1 = z + n, t1 = t + n, d1 = d == null ? null : d + n;
        float max0 = z[0], max1 = z1[0];
        for (int k = 1; k < n; k++)
        {
            max0 = Math.Max(max0, z[k]);
            max1 = Math.Max(max1, z1[k]);
        }
        float* e = stackalloc float[2 * TV.Count];
        TV.Store(TV.ExpShifted(TV.LoadFirst(z, n), max0), e);
        TV.Store(TV.ExpShifted(TV.LoadFirst(z1, n), max1), e + TV.Count);
        float sum0 = 0, sum1 = 0;
        for (int k = 0; k < n; k++)
        {
            sum0 += e[k];
            sum1 += e[TV.Count + k];
        }
        // as CrossEntropy adds them: no whole vectors (a float zero), then the tail
        double none = TV.Sum(TV.Zero);
        double lse0 = max0 + Math.Log(none + sum0), lse1 = max1 + Math.Log(none + sum1);
        return (none + GradientOfTail<TV>(z, t, d, n, scale, lse0),
            none + GradientOfTail<TV>(z1, t1, d1, n, scale, lse1));
    }

    // CrossEntropyTailPair of TV.Count consecutive rows narrower than one vector, each row in a lane: the rows are
    // copied column by column into the stack (a vector then holds one column of every row), every vector operation
    // is lane by lane the one the pair applies to a row's vector, the sums run in the same element order, the argmax
    // is ArgMax's strict comparison, and each row's maximum, logarithm and addition to the total stay the scalar steps
    // they were, row by row. Two rows at a time, with the float64 exponentials of each row in a vector 10 of 16 lanes
    // used, and ArgMax's branches, a batch of 64 × 10 took 6.5–7.1 µs; in lanes, 2.7–2.9 (AVX-512 Zen 5, in steps).
    private static void CrossEntropyRowsInLanes<TV>(float* z, float* t, float* d, int n, float scale,
        ref double total, ref int correct) where TV : unmanaged, IVec<TV>
    {
        int c = TV.Count;
        float* zColumns = stackalloc float[n * c], tColumns = stackalloc float[n * c], lanes = stackalloc float[c];
        double* max = stackalloc double[c], lse = stackalloc double[c];
        for (int row = 0; row < c; row++)
        {
            float* zRow = z + ((nint)row * n), tRow = t + ((nint)row * n);
            float rowMax = zRow[0];
            for (int k = 0; k < n; k++)
            {
                zColumns[(k * c) + row] = zRow[k];
                tColumns[(k * c) + row] = tRow[k];
                rowMax = Math.Max(rowMax, zRow[k]);
            }
            max[row] = rowMax;
        }
        TV sums = TV.Zero;
        for (int k = 0; k < n; k++)
        {
            sums += TV.ExpShifted(TV.Load(zColumns + (k * c)), max);
        }
        TV.Store(sums, lanes);
        double none = TV.Sum(TV.Zero);
        for (int row = 0; row < c; row++)
        {
            lse[row] = max[row] + Math.Log(none + lanes[row]);
            lanes[row] = (float)lse[row];
        }
        TV lseF = TV.Load(lanes), loss = TV.Zero, scaleV = TV.Splat(scale);
        // ArgMax of each row, output and target, in the lanes: the first of the largest, as a strict comparison finds
        TV zBest = TV.Load(zColumns), tBest = TV.Load(tColumns), zAt = TV.Zero, tAt = TV.Zero;
        for (int k = 0; k < n; k++)
        {
            TV zk = TV.Load(zColumns + (k * c)), tk = TV.Load(tColumns + (k * c)), index = TV.Splat(k);
            zAt = TV.LessThanSelect(zBest, zk, index, zAt);
            zBest = TV.LessThanSelect(zBest, zk, zk, zBest);
            tAt = TV.LessThanSelect(tBest, tk, index, tAt);
            tBest = TV.LessThanSelect(tBest, tk, tk, tBest);
            if (d != null)
            {
                // over the targets' column, read no more: the rows' gradients go back into place below
                TV.Store((TV.ExpShifted(zk, lse) - tk) * scaleV, tColumns + (k * c));
            }
            loss = (tk * (lseF - zk)) + loss;
        }
        TV.Store(loss, lanes);
        float* zArgMax = stackalloc float[c], tArgMax = stackalloc float[c];
        TV.Store(zAt, zArgMax);
        TV.Store(tAt, tArgMax);
        for (int row = 0; row < c; row++)
        {
            total += none + lanes[row];
            correct += zArgMax[row] == tArgMax[row] ? 1 : 0;
            if (d != null)
            {
                for (int k = 0; k < n; k++)
                {
                    d[((nint)row * n) + k] = tColumns[(k * c) + row];
                }
            }
        }
    }

    private static double SumExp<TV>(float* z, int n, double max) where TV : unmanaged, IVec<TV>
    {
        TV sum = TV.Zero;
        for (int k = 0; k <= n - TV.Count; k += TV.Count)
        {
            sum += TV.ExpShifted(TV.Load(z + k), max);
        }
        return TV.Sum(sum);
    }

    private static double Gradient<TV>(float* z, float* t, float* d, int n, float scale, double lse)
        where TV : unmanaged, IVec<TV>
    {
        TV loss = TV.Zero, lseV = TV.Splat((float)lse);
        for (int k = 0; k <= n - TV.Count; k += TV.Count)
        {
            TV zk = TV.Load(z + k), tk = TV.Load(t + k);
            loss = TV.MulAdd(tk, lseV - zk, loss);
            if (d != null)
            {
                TV.Store((TV.ExpShifted(zk, lse) - tk) * TV.Splat(scale), d + k);
            }
        }
        return TV.Sum(loss);
    }

    // The last n < V elements, whose float64 exponentials (the costly part: 10 outputs are all tail at V = 16) are
    // taken in one vector, the rest as the scalar loop would: the sum in float32 from 0 in element order, so the
    // same bits as that loop wherever the vector's exp rounds to the same float32 as Math.Exp
    private static double SumExpOfTail<TV>(float* z, int n, double max) where TV : unmanaged, IVec<TV>
    {
        if (n == 0)
        {
            return 0;
        }
        float* e = stackalloc float[TV.Count];
        TV.Store(TV.ExpShifted(TV.LoadFirst(z, n), max), e);
        float sum = 0;
        for (int k = 0; k < n; k++)
        {
            sum += e[k];
        }
        return sum;
    }

    // Gradient's loop for the last n < V elements: d in one vector, the loss summed in element order
    private static double GradientOfTail<TV>(float* z, float* t, float* d, int n, float scale, double lse)
        where TV : unmanaged, IVec<TV>
    {
        if (d != null)
        {
            TV zv = TV.LoadFirst(z, n), tv = TV.LoadFirst(t, n);
            TV.StoreFirst((TV.ExpShifted(zv, lse) - tv) * TV.Splat(scale), d, n);
        }
        float lseF = (float)lse, loss = 0;
        for (int k = 0; k < n; k++)
        {
            loss = (t[k] * (lseF - z[k])) + loss;
        }
        return loss;
    }

    // first maximum wins, as in the reference
    private static int ArgMax(float* values, int n)
    {
        int best = 0;
        for (int k = 1; k < n; k++)
        {
            if (values[k] > values[best])
            {
                best = k;
            }
        }
        return best;
    }
}
