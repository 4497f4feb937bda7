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
        for (int r = 0; r < batch; r++)
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
        double sumExp = SumExp<TV>(z, n, max) + SumExp<V1>(z + (n - (n % TV.Count)), n % TV.Count, max);
        double lse = max + Math.Log(sumExp);
        return Gradient<TV>(z, t, d, n, scale, lse) + Gradient<V1>(z, t, d, n, scale, lse, n - (n % TV.Count));
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

    private static double Gradient<TV>(float* z, float* t, float* d, int n, float scale, double lse, int first = 0)
        where TV : unmanaged, IVec<TV>
    {
        TV loss = TV.Zero, lseV = TV.Splat((float)lse);
        for (int k = first; k <= n - TV.Count; k += TV.Count)
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
