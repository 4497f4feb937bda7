using ILGPU;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// The kernels around the GEMMs: the backward activation step fused with the bias gradient, the loss with its
/// metrics, the optimizer step, row gathering and fill. Reductions run in a fixed order (no atomics), so results do
/// not depend on scheduling.
/// </summary>
public static class ElementwiseKernels
{
    /// <summary>Threads per group of the explicitly grouped kernels here.</summary>
    public const int Threads = 256;

    /// <summary>Columns per group of <see cref="ActivationGradient"/>; the other factor of the group walks rows.</summary>
    public const int GradientColumns = 32;

    private const int GradientRowLanes = Threads / GradientColumns;

    /// <summary>Rows per group of <see cref="ActivationGradient"/>: a batch larger than this is split over groups
    /// whose column sums <see cref="SumChunks"/> then adds.</summary>
    public const int GradientRows = 64;

    /// <summary>
    /// delta ← delta ⊙ f'(a), in place, and, when hasBias ≠ 0, the column sums of the new delta over this group's
    /// chunk of <see cref="GradientRows"/> rows into sums[chunk·outputs + c] (with a single chunk, sums is db).
    /// a, delta: [batch, outputs]. A group owns <see cref="GradientColumns"/> columns of one chunk; its row lanes sum
    /// strided rows, then one thread per column adds the lanes' sums in lane order.
    /// </summary>
    public static void ActivationGradient(ArrayView<float> a, ArrayView<float> delta, ArrayView<float> sums,
        int batch, int outputs, int hasBias, int activation)
    {
        ArrayView<float> partial = SharedMemory.Allocate<float>(Threads);
        int tid = Group.IdxX;
        int lane = tid / GradientColumns;
        int column = Grid.IdxX * GradientColumns + tid % GradientColumns;
        int first = Grid.IdxY * GradientRows;
        int end = first + GradientRows < batch ? first + GradientRows : batch;
        float sum = 0f;
        if (column < outputs)
        {
            for (int row = first + lane; row < end; row += GradientRowLanes)
            {
                int e = row * outputs + column;
                float dz = delta[e] * DeviceMath.Derivative(activation, a[e]);
                delta[e] = dz;
                sum += dz;
            }
        }
        partial[tid] = sum;
        Group.Barrier();
        if (hasBias != 0 && lane == 0 && column < outputs)
        {
            float total = partial[tid];
            for (int l = 1; l < GradientRowLanes; l++)
            {
                total += partial[l * GradientColumns + tid];
            }
            sums[Grid.IdxY * outputs + column] = total;
        }
    }

    /// <summary>The launch shape of <see cref="ActivationGradient"/>: column blocks by row chunks.</summary>
    public static KernelConfig GradientConfig(int batch, int outputs) => new(
        new Index2D((outputs + GradientColumns - 1) / GradientColumns, GradientChunks(batch)),
        new Index2D(Threads, 1));

    /// <summary>How many row chunks <see cref="ActivationGradient"/> splits a batch into.</summary>
    public static int GradientChunks(int batch) => (batch + GradientRows - 1) / GradientRows;

    /// <summary>db[c] = Σ_chunk sums[chunk·outputs + c], chunks in order.</summary>
    public static void SumChunks(Index1D column, ArrayView<float> sums, ArrayView<float> db, int outputs, int chunks)
    {
        float total = sums[column];
        for (int chunk = 1; chunk < chunks; chunk++)
        {
            total += sums[chunk * outputs + column];
        }
        db[column] = total;
    }

    /// <summary>
    /// Per-example loss, its gradient and whether the example is classified correctly, one thread per row.
    /// output, targets, dOutput: [batch, outputs]; dOutput is written when hasGradient ≠ 0. rowStats: [2·batch],
    /// ℓ of row r at r and 1 or 0 (arg max of output = arg max of target) at batch + r. The gradient is of
    /// Σ ℓ / meanOver.
    /// </summary>
    public static void LossRows(Index1D row, ArrayView<float> output, ArrayView<float> targets,
        ArrayView<float> dOutput, ArrayView<float> rowStats, int batch, int outputs, int loss, int hasGradient,
        int meanOver)
    {
        rowStats[row] = RowLoss(output, targets, dOutput, row, meanOver, outputs, loss, hasGradient);
        rowStats[batch + row] = Correct(output, targets, row * outputs, outputs);
    }

    /// <summary>
    /// <see cref="LossRows"/> and <see cref="AccumulateMetrics"/> in one group, for batches small enough that one
    /// launch beats spreading the rows: each thread takes a fixed stride of rows, then a tree adds the sums.
    /// </summary>
    public static void LossAndMetrics(ArrayView<float> output, ArrayView<float> targets, ArrayView<float> dOutput,
        ArrayView<float> metrics, int batch, int outputs, int loss, int hasGradient, int meanOver)
    {
        ArrayView<double> lossSums = SharedMemory.Allocate<double>(Threads);
        ArrayView<int> correctSums = SharedMemory.Allocate<int>(Threads);
        int tid = Group.IdxX;
        double lossSum = 0;
        int correct = 0;
        for (int r = tid; r < batch; r += Threads)
        {
            lossSum += RowLoss(output, targets, dOutput, r, meanOver, outputs, loss, hasGradient);
            correct += (int)Correct(output, targets, r * outputs, outputs);
        }
        AddToMetrics(metrics, lossSums, correctSums, lossSum, correct);
    }

    // the gradient is of Σ ℓ / meanOver (meanOver: the rows of the whole batch these rows are part of)
    private static float RowLoss(ArrayView<float> output, ArrayView<float> targets, ArrayView<float> dOutput,
        int row, int meanOver, int outputs, int loss, int hasGradient)
    {
        int start = row * outputs;
        float invBatch = 1f / meanOver;
        if (loss == (int)LossKind.SoftmaxCrossEntropy)
        {
            float max = output[start];
            for (int j = 1; j < outputs; j++)
            {
                max = output[start + j] > max ? output[start + j] : max;
            }
            float sumExp = 0f;
            for (int j = 0; j < outputs; j++)
            {
                sumExp += DeviceMath.Exp(output[start + j] - max);
            }
            float logSumExp = DeviceMath.Log(sumExp);
            float ell = 0f;
            for (int j = 0; j < outputs; j++)
            {
                float shifted = output[start + j] - max;
                float t = targets[start + j];
                if (t != 0f)
                {
                    ell -= t * (shifted - logSumExp);
                }
                if (hasGradient != 0)
                {
                    dOutput[start + j] = (DeviceMath.Exp(shifted) / sumExp - t) * invBatch;
                }
            }
            return ell;
        }
        bool half = loss == (int)LossKind.HalfSquaredError;
        float scale = half ? invBatch : 2f / ((float)outputs * meanOver);
        float sum = 0f;
        for (int j = 0; j < outputs; j++)
        {
            float diff = output[start + j] - targets[start + j];
            sum += diff * diff;
            if (hasGradient != 0)
            {
                dOutput[start + j] = diff * scale;
            }
        }
        return half ? 0.5f * sum : sum / outputs;
    }

    private static float Correct(ArrayView<float> output, ArrayView<float> targets, int start, int outputs) =>
        ArgMax(output, start, outputs) == ArgMax(targets, start, outputs) ? 1f : 0f;

    /// <summary>
    /// metrics[0] += Σ_rows ℓ, metrics[1] += Σ_rows correct, from <see cref="LossRows"/>'s rowStats. One group: each
    /// thread sums a fixed stride of rows, then a tree halves the partial sums; thread 0 adds to metrics.
    /// </summary>
    public static void AccumulateMetrics(ArrayView<float> rowStats, ArrayView<float> metrics, int batch)
    {
        ArrayView<double> lossSums = SharedMemory.Allocate<double>(Threads);
        ArrayView<int> correctSums = SharedMemory.Allocate<int>(Threads);
        int tid = Group.IdxX;
        double lossSum = 0;
        int correct = 0;
        for (int r = tid; r < batch; r += Threads)
        {
            lossSum += rowStats[r];
            correct += (int)rowStats[batch + r];
        }
        AddToMetrics(metrics, lossSums, correctSums, lossSum, correct);
    }

    // The group's per-thread sums, halved by a tree in a fixed order; thread 0 adds the totals to metrics, each
    // rounded to float once. The losses add in float64 and the count as an integer: a float sum drops a row's loss
    // below half an ulp of the running total, and counts past 2²⁴. Shared memory is allocated by the kernels
    // themselves, not in this helper.
    private static void AddToMetrics(ArrayView<float> metrics, ArrayView<double> lossSums,
        ArrayView<int> correctSums, double lossSum, int correct)
    {
        int tid = Group.IdxX;
        lossSums[tid] = lossSum;
        correctSums[tid] = correct;
        Group.Barrier();
        for (int half = Threads / 2; half > 0; half /= 2)
        {
            if (tid < half)
            {
                lossSums[tid] += lossSums[tid + half];
                correctSums[tid] += correctSums[tid + half];
            }
            Group.Barrier();
        }
        if (tid == 0)
        {
            metrics[0] = (float)(metrics[0] + lossSums[0]);
            metrics[1] = (float)(metrics[1] + (double)correctSums[0]);
        }
    }

    /// <summary>One optimizer step for parameter i, by the rules written on <see cref="OptimizerKind"/>.
    /// state holds the rule's slots of length n back to back.</summary>
    public static void Optimize(Index1D i, ArrayView<float> dParameters, ArrayView<float> parameters,
        ArrayView<float> state, OptimizerScalars s, int n)
    {
        float p = parameters[i];
        if (s.Kind == (int)OptimizerKind.Sgd)
        {
            parameters[i] = Sgd(p, dParameters[i], s);
            return;
        }
        float g = dParameters[i] + s.WeightDecay * p;
        if (s.Kind == (int)OptimizerKind.Momentum)
        {
            float b = s.Momentum * state[i] + g;
            state[i] = b;
            p -= s.LearningRate * b;
        }
        else if (s.Kind == (int)OptimizerKind.Nesterov)
        {
            float b = s.Momentum * state[i] + g;
            state[i] = b;
            p -= s.LearningRate * (g + s.Momentum * b);
        }
        else if (s.Kind == (int)OptimizerKind.Adagrad)
        {
            float sum = state[i] + g * g;
            state[i] = sum;
            p -= s.LearningRate * g / (MathF.Sqrt(sum) + s.Epsilon);
        }
        else if (s.Kind == (int)OptimizerKind.RmsProp)
        {
            float v = s.Beta2 * state[i] + s.OneMinusBeta2 * g * g;
            state[i] = v;
            p -= s.LearningRate * g / (MathF.Sqrt(v) + s.Epsilon);
        }
        else
        {
            float m = s.Beta1 * state[i] + s.OneMinusBeta1 * g;
            float v = s.Beta2 * state[n + i] + s.OneMinusBeta2 * g * g;
            state[i] = m;
            state[n + i] = v;
            if (s.Kind == (int)OptimizerKind.Adam)
            {
                p -= s.AdamStepSize * m / (MathF.Sqrt(v) / s.AdamSqrtBiasCorrection2 + s.Epsilon);
            }
            else
            {
                float d = MathF.Sqrt(v / s.NadamBiasCorrection2) + s.Epsilon;
                p += s.NadamGradCoefficient * g / d + s.NadamMomentCoefficient * m / d;
            }
        }
        parameters[i] = p;
    }

    /// <summary>LAMB's moments of one parameter: m ← β1·m + (1 − β1)·∇; v ← β2·v + (1 − β2)·∇².</summary>
    public static void LambMoments(Index1D i, ArrayView<float> dParameters, ArrayView<float> m, ArrayView<float> v,
        TrustScalars s)
    {
        float g = dParameters[i];
        m[i] = s.Beta1 * m[i] + s.OneMinusBeta1 * g;
        v[i] = s.Beta2 * v[i] + s.OneMinusBeta2 * g * g;
    }

    /// <summary>
    /// The squared norms of <see cref="IBackend.TrustRatioStep"/>, in float64: squares[0] = ‖w‖², squares[1] = ‖∇‖²
    /// (LARS) or ‖u‖² (LAMB). One group: each thread sums a fixed stride of the segment, then a tree halves the
    /// partial sums in a fixed order.
    /// </summary>
    public static void TrustNorms(ArrayView<float> dParameters, ArrayView<float> parameters, ArrayView<float> m,
        ArrayView<float> v, ArrayView<double> squares, TrustScalars s, int n)
    {
        ArrayView<double> wSums = SharedMemory.Allocate<double>(Threads);
        ArrayView<double> uSums = SharedMemory.Allocate<double>(Threads);
        int tid = Group.IdxX;
        double wSum = 0, uSum = 0;
        for (int i = tid; i < n; i += Threads)
        {
            double w = parameters[i];
            double u = s.Kind == (int)OptimizerKind.Lars ? dParameters[i] : LambUpdate(m[i], v[i], parameters[i], s);
            wSum += w * w;
            uSum += u * u;
        }
        wSums[tid] = wSum;
        uSums[tid] = uSum;
        Group.Barrier();
        for (int half = Threads / 2; half > 0; half /= 2)
        {
            if (tid < half)
            {
                wSums[tid] += wSums[tid + half];
                uSums[tid] += uSums[tid + half];
            }
            Group.Barrier();
        }
        if (tid == 0)
        {
            squares[0] = wSums[0];
            squares[1] = uSums[0];
        }
    }

    /// <summary>
    /// The update of <see cref="IBackend.TrustRatioStep"/> for one parameter, with the norms from
    /// <see cref="TrustNorms"/> (LAMB's moments already updated by <see cref="LambMoments"/>).
    /// </summary>
    public static void TrustApply(Index1D i, ArrayView<float> dParameters, ArrayView<float> parameters,
        ArrayView<float> m, ArrayView<float> v, ArrayView<double> squares, TrustScalars s)
    {
        double wNorm = Math.Sqrt(squares[0]), uNorm = Math.Sqrt(squares[1]);
        bool trusted = s.Adapt != 0 && wNorm > 0 && uNorm > 0;
        float p = parameters[i];
        if (s.Kind == (int)OptimizerKind.Lars)
        {
            // ρ = τ·‖w‖/(‖∇‖ + λ‖w‖); b ← μ·b + η·ρ·(∇ + λw); w ← w − b
            double rho = trusted ? s.TrustCoefficient * wNorm / (uNorm + s.WeightDecay * wNorm) : 1;
            float b = s.Momentum * m[i] + (float)(s.LearningRate * rho) * (dParameters[i] + s.WeightDecay * p);
            m[i] = b;
            parameters[i] = p - b;
            return;
        }
        double ratio = trusted ? wNorm / uNorm : 1;
        parameters[i] = p - (float)(s.LearningRate * ratio) * LambUpdate(m[i], v[i], p, s);
    }

    // u = m̂/(√v̂ + ε) + λw
    private static float LambUpdate(float m, float v, float w, TrustScalars s) =>
        m / s.BiasCorrection1 / (MathF.Sqrt(v / s.BiasCorrection2) + s.Epsilon) + s.WeightDecay * w;

    /// <summary>Plain SGD of one parameter p with gradient ∇: p − η·(∇ + λp). Every SGD update here goes through it.</summary>
    public static float Sgd(float p, float gradient, OptimizerScalars s)
    {
        float g = gradient + s.WeightDecay * p;
        return p - s.LearningRate * g;
    }

    /// <summary>destination[e] = source[indices[first + e / rowLength]·rowLength + e % rowLength].</summary>
    public static void GatherRows(Index1D e, ArrayView<float> source, ArrayView<int> indices,
        ArrayView<float> destination, int rowLength, int first)
    {
        int r = e / rowLength;
        destination[e] = source[indices[first + r] * rowLength + (e - r * rowLength)];
    }

    /// <summary>destination[e] = source[e]·scale when the mask keeps element firstElement + e, else 0: the
    /// reference's <see cref="DropoutMask"/> functions, in 64-bit integer arithmetic, so the mask is the same bit for
    /// bit. destination may be source (in place).</summary>
    public static void Dropout(Index1D e, ArrayView<float> source, ArrayView<float> destination, ulong stream,
        long firstElement, uint keepThreshold, float scale)
    {
        bool keep = DropoutMask.Keeps(DropoutMask.Bits(stream, firstElement + e), keepThreshold);
        destination[e] = keep ? source[e] * scale : 0f;
    }

    /// <summary>a[e] ← f(a[e] + bias[e % outputs]) (bias read only when hasBias ≠ 0): the forward epilogue for a
    /// product computed elsewhere (cuBLAS).</summary>
    public static void BiasActivation(Index1D e, ArrayView<float> a, ArrayView<float> bias, int outputs, int hasBias,
        int activation)
    {
        float z = hasBias != 0 ? a[e] + bias[e % outputs] : a[e];
        a[e] = DeviceMath.Activate(activation, z);
    }

    /// <summary>a[e] ← f(z[e]) for an activation applied after an identity product (a may be z); the
    /// <see cref="ActivationKind"/> as its int value.</summary>
    public static void SeparateActivation(Index1D e, ArrayView<float> z, ArrayView<float> a, int activation,
        float slope) => a[e] = DeviceMath.ActivateSeparately(activation, slope, z[e]);

    /// <summary>delta[e] ← delta[e]·f'(stored[e]), stored being A (leaky ReLU) or Z (the GELUs).</summary>
    public static void SeparateDerivative(Index1D e, ArrayView<float> stored, ArrayView<float> delta, int activation,
        float slope) => delta[e] *= DeviceMath.SeparateDerivative(activation, slope, stored[e]);

    /// <summary>destination[e] = value.</summary>
    public static void Fill(Index1D e, ArrayView<float> destination, float value) => destination[e] = value;

    // First maximum wins, as in the reference.
    private static int ArgMax(ArrayView<float> values, int start, int count)
    {
        int best = 0;
        float bestValue = values[start];
        for (int j = 1; j < count; j++)
        {
            if (values[start + j] > bestValue)
            {
                best = j;
                bestValue = values[start + j];
            }
        }
        return best;
    }
}

/// <summary>
/// The per-step scalars of <see cref="ElementwiseKernels.Optimize"/>, rounded once from the float64
/// <see cref="OptimizerStep"/>, with the fast paths' precomputed Adam and Nadam coefficients (zero for the other
/// rules).
/// </summary>
public readonly record struct OptimizerScalars
{
    /// <summary>Builds the scalars of <paramref name="step"/>.</summary>
    public OptimizerScalars(in OptimizerStep step)
    {
        Kind = (int)step.Kind;
        LearningRate = (float)step.LearningRate;
        Momentum = (float)step.Momentum;
        Beta1 = (float)step.Beta1;
        Beta2 = (float)step.Beta2;
        OneMinusBeta1 = (float)(1 - step.Beta1);
        OneMinusBeta2 = (float)(1 - step.Beta2);
        Epsilon = (float)step.Epsilon;
        WeightDecay = (float)step.WeightDecay;
        AdamStepSize = (float)step.AdamStepSize;
        AdamSqrtBiasCorrection2 = (float)step.AdamBiasCorrection2Sqrt;
        NadamBiasCorrection2 = (float)step.NadamBiasCorrection2;
        NadamGradCoefficient = (float)step.NadamGradCoefficient;
        NadamMomentCoefficient = (float)step.NadamMomentCoefficient;
    }

    /// <summary>The <see cref="OptimizerKind"/> as an int.</summary>
    public int Kind { get; }

    /// <summary>η.</summary>
    public float LearningRate { get; }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>β1.</summary>
    public float Beta1 { get; }

    /// <summary>β2 (α for RMSprop).</summary>
    public float Beta2 { get; }

    /// <summary>1 − β1, rounded once from float64.</summary>
    public float OneMinusBeta1 { get; }

    /// <summary>1 − β2, rounded once from float64.</summary>
    public float OneMinusBeta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Adam: η/(1 − β1ᵗ).</summary>
    public float AdamStepSize { get; }

    /// <summary>Adam: √(1 − β2ᵗ).</summary>
    public float AdamSqrtBiasCorrection2 { get; }

    /// <summary>Nadam: 1 − β2ᵗ.</summary>
    public float NadamBiasCorrection2 { get; }

    /// <summary>Nadam: −η·(1 − μₜ)/(1 − Πₜ), the coefficient of g/d.</summary>
    public float NadamGradCoefficient { get; }

    /// <summary>Nadam: −η·μₜ₊₁/(1 − Πₜ·μₜ₊₁), the coefficient of m/d.</summary>
    public float NadamMomentCoefficient { get; }
}

/// <summary>
/// The per-step scalars of the <see cref="IBackend.TrustRatioStep"/> kernels, rounded once from the float64
/// <see cref="OptimizerStep"/>; η, τ and λ stay float64 for the trust ratio, which is computed in float64.
/// </summary>
public readonly record struct TrustScalars
{
    /// <summary>Builds the scalars of <paramref name="step"/> for a segment that is adapted or not.</summary>
    public TrustScalars(in OptimizerStep step, bool adapt)
    {
        Kind = (int)step.Kind;
        Adapt = adapt ? 1 : 0;
        LearningRate = step.LearningRate;
        TrustCoefficient = step.TrustCoefficient;
        WeightDecay = adapt ? (float)step.WeightDecay : 0f;
        Momentum = (float)step.Momentum;
        Beta1 = (float)step.Beta1;
        Beta2 = (float)step.Beta2;
        OneMinusBeta1 = (float)(1 - step.Beta1);
        OneMinusBeta2 = (float)(1 - step.Beta2);
        Epsilon = (float)step.Epsilon;
        BiasCorrection1 = (float)step.LambBiasCorrection1;
        BiasCorrection2 = (float)step.LambBiasCorrection2;
    }

    /// <summary>The <see cref="OptimizerKind"/> as an int.</summary>
    public int Kind { get; }

    /// <summary>1 for a weight matrix (trust ratio and weight decay), 0 for biases.</summary>
    public int Adapt { get; }

    /// <summary>η.</summary>
    public double LearningRate { get; }

    /// <summary>LARS's τ.</summary>
    public double TrustCoefficient { get; }

    /// <summary>λ, or 0 for biases.</summary>
    public float WeightDecay { get; }

    /// <summary>μ (LARS).</summary>
    public float Momentum { get; }

    /// <summary>β1 (LAMB).</summary>
    public float Beta1 { get; }

    /// <summary>β2 (LAMB).</summary>
    public float Beta2 { get; }

    /// <summary>1 − β1, rounded once from float64.</summary>
    public float OneMinusBeta1 { get; }

    /// <summary>1 − β2, rounded once from float64.</summary>
    public float OneMinusBeta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>LAMB: 1 − β1ᵗ.</summary>
    public float BiasCorrection1 { get; }

    /// <summary>LAMB: 1 − β2ᵗ.</summary>
    public float BiasCorrection2 { get; }
}
