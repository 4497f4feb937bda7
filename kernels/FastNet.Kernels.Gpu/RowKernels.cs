using ILGPU;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// The dense layer at batch 1 (per-example training), where X is a single row and the products are matrix–vector
/// products: a GEMM tile would walk all of K in one group for one useful row. One launch per layer and direction,
/// and the backward launch also applies plain SGD, so a per-example step of an L-layer network makes 2L + 1 launches
/// (with the loss). Sums run in a fixed order (no atomics).
/// </summary>
public static class RowKernels
{
    /// <summary>Threads per group.</summary>
    public const int Threads = 256;

    /// <summary>Output columns per group of <see cref="Forward"/>: one per thread of a part.</summary>
    public const int Columns = 32;

    // Each of the Parts thread rows of a Forward group sums every Parts-th input; Unroll of its rows are loaded
    // before they are added, so their memory latencies overlap instead of adding up.
    private const int Parts = Threads / Columns;
    private const int Unroll = 8;

    /// <summary>
    /// a = f(x·W + b) for one row: x [inputs], w [inputs, outputs], bias [outputs] (read when hasBias ≠ 0),
    /// a [outputs]. Column c of the group's <see cref="Columns"/> is summed by <see cref="Threads"/>/<see
    /// cref="Columns"/> threads over interleaved inputs, whose partial sums one thread then adds in order.
    /// </summary>
    public static void Forward(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> a,
        int inputs, int outputs, int hasBias, int activation)
    {
        ArrayView<float> partial = SharedMemory.Allocate<float>(Threads);
        int tid = Group.IdxX;
        int part = tid / Columns;
        int column = Grid.IdxX * Columns + tid % Columns;
        float sum = 0f;
        if (column < outputs)
        {
            int i = part;
            for (; i + (Unroll - 1) * Parts < inputs; i += Unroll * Parts)
            {
                int e = i * outputs + column, step = Parts * outputs;
                float w0 = w[e], w1 = w[e + step], w2 = w[e + 2 * step], w3 = w[e + 3 * step];
                float w4 = w[e + 4 * step], w5 = w[e + 5 * step], w6 = w[e + 6 * step], w7 = w[e + 7 * step];
                sum += x[i] * w0;
                sum += x[i + Parts] * w1;
                sum += x[i + 2 * Parts] * w2;
                sum += x[i + 3 * Parts] * w3;
                sum += x[i + 4 * Parts] * w4;
                sum += x[i + 5 * Parts] * w5;
                sum += x[i + 6 * Parts] * w6;
                sum += x[i + 7 * Parts] * w7;
            }
            for (; i < inputs; i += Parts)
            {
                sum += x[i] * w[i * outputs + column];
            }
        }
        partial[tid] = sum;
        Group.Barrier();
        if (part == 0 && column < outputs)
        {
            float z = partial[tid];
            for (int p = 1; p < Parts; p++)
            {
                z += partial[p * Columns + tid];
            }
            if (hasBias != 0)
            {
                z += bias[column];
            }
            a[column] = DeviceMath.Activate(activation, z);
        }
    }

    /// <summary>The launch shape of <see cref="Forward"/>.</summary>
    public static KernelConfig ForwardConfig(int outputs) =>
        new(new Index1D((outputs + Columns - 1) / Columns), new Index1D(Threads));

    /// <summary>
    /// The backward pass of one row, by weight rows: one warp per input i reads row i of W once, computes
    /// dX[i] = Σ_j W[i, j]·dz_j (when hasDx ≠ 0) with dz_j = delta[j]·f'(a[j]), and, when update ≠ 0, applies
    /// plain SGD to the row with the gradient x[i]·dz_j after reading it; the warp of input 0 also steps the biases with
    /// dz (when hasBias ≠ 0). x [inputs], a and delta [outputs], dx [inputs], w [inputs, outputs], b [outputs].
    /// <para>
    /// With update = 0 and the identity activation it is the input gradient of an already computed dZ; the fused step
    /// sums in the same order, so the two give the same dX bit for bit. delta is only read: dZ is never stored, so
    /// the warps need not wait for each other.
    /// </para>
    /// </summary>
    public static void Backward(ArrayView<float> x, ArrayView<float> a, ArrayView<float> delta, ArrayView<float> dx,
        ArrayView<float> w, ArrayView<float> b, OptimizerScalars s, int inputs, int outputs, int activation,
        int hasDx, int update, int hasBias)
    {
        int lanes = Warp.WarpSize;
        int i = Grid.IdxX * (Threads / lanes) + Warp.WarpIdx;
        int lane = Warp.LaneIdx;
        float sum = 0f;
        if (i < inputs)
        {
            float xi = x[i];
            int row = i * outputs;
            for (int j = lane; j < outputs; j += lanes)
            {
                float dz = delta[j] * DeviceMath.Derivative(activation, a[j]);
                float weight = w[row + j];
                sum += weight * dz;
                if (update != 0)
                {
                    // the gradient rounded as the unfused pass stores it in dW before its SGD kernel reads it
                    w[row + j] = ElementwiseKernels.Sgd(weight, DeviceMath.RoundedProduct(xi, dz), s);
                    if (i == 0 && hasBias != 0)
                    {
                        // 0 + dz: the bias gradient as the unfused pass sums it, a column of one row
                        b[j] = ElementwiseKernels.Sgd(b[j], 0f + dz, s);
                    }
                }
            }
        }
        // every lane takes part in the shuffles, also in a warp past the last input
        for (int offset = lanes / 2; offset > 0; offset /= 2)
        {
            sum += Warp.ShuffleDown(sum, offset);
        }
        if (hasDx != 0 && lane == 0 && i < inputs)
        {
            dx[i] = sum;
        }
    }

    /// <summary>The launch shape of <see cref="Backward"/> for warps of <paramref name="warpSize"/> threads.</summary>
    public static KernelConfig BackwardConfig(int inputs, int warpSize)
    {
        int rowsPerGroup = Threads / warpSize;
        return new(new Index1D((inputs + rowsPerGroup - 1) / rowsPerGroup), new Index1D(Threads));
    }
}
