using ILGPU;
using CuBlasProduct = System.Action<ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, int, int,
    int>;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// Where a dense layer's three products run: cuBLAS when the backend has it, otherwise the GEMM tiling
/// <see cref="TilingFor"/> picks for the product's shape and operands.
/// </summary>
internal sealed class GemmRouter
{
    private readonly GemmTiling _tiling;
    private readonly GpuKernels _kernels;
    private readonly Func<BufferView, ArrayView<float>> _view;
    private readonly CuBlasProduct? _cuBlasNN, _cuBlasTN, _cuBlasNT;

    /// <param name="tiling">The tiling option the backend was made with.</param>
    /// <param name="multiprocessors">The accelerator's multiprocessors, which the automatic tiling fills.</param>
    /// <param name="kernels">The backend's counted launchers.</param>
    /// <param name="cuBlas">cuBLAS, or null for FastNet's own kernels.</param>
    /// <param name="counter">Counts each cuBLAS call as one launch.</param>
    /// <param name="view">The device memory of an operand (a placeholder for an absent one).</param>
    public GemmRouter(GemmTiling tiling, int multiprocessors, GpuKernels kernels, CuBlasGemm? cuBlas,
        LaunchCounter counter, Func<BufferView, ArrayView<float>> view)
    {
        _tiling = tiling;
        Multiprocessors = multiprocessors;
        _kernels = kernels;
        _view = view;
        if (cuBlas is not null)
        {
            _cuBlasNN = counter.Counting<CuBlasProduct>(cuBlas.NN);
            _cuBlasTN = counter.Counting<CuBlasProduct>(cuBlas.TN);
            _cuBlasNT = counter.Counting<CuBlasProduct>(cuBlas.NT);
        }
    }

    /// <summary>Multiprocessors of the accelerator, which the automatic tiling fills.</summary>
    public int Multiprocessors { get; }

    /// <summary>True when the products go through cuBLAS.</summary>
    public bool UsesCuBlas => _cuBlasNN is not null;

    /// <summary>
    /// The tiling an [m, n] product gets: with <see cref="GemmTiling.Auto"/> the largest tile of which it has at least
    /// one per multiprocessor; the wide tile only when its operands fit the vectors (<paramref name="wideFits"/>).
    /// </summary>
    public GemmTiling TilingFor(int m, int n, bool wideFits) => _tiling switch
    {
        GemmTiling.Small => GemmTiling.Small,
        GemmTiling.Large => GemmTiling.Large,
        GemmTiling.Wide when wideFits => GemmTiling.Wide,
        GemmTiling.Auto when wideFits && FillsDevice(m, n, GemmWideKernels.TileM, GemmWideKernels.TileN) =>
            GemmTiling.Wide,
        _ => FillsDevice(m, n, GemmLargeKernels.Tile, GemmLargeKernels.Tile) ? GemmTiling.Large : GemmTiling.Small,
    };

    /// <summary>A = f(X·W + b): X [batch, inputs], W [inputs, outputs], b [outputs] or empty, A [batch, outputs].
    /// Through cuBLAS the bias and activation follow as <see cref="BiasActivation"/>.</summary>
    public void Forward(BufferView x, BufferView w, BufferView b, int batch, int inputs, int outputs,
        Activation activation, BufferView a)
    {
        if (_cuBlasNN is not null)
        {
            _cuBlasNN(_view(x), _view(w), _view(a), batch, outputs, inputs);
            BiasActivation(b, batch, outputs, activation, a);
            return;
        }
        GemmKernelSet gemm = Pick(batch, outputs, GemmWideKernels.Fits(inputs, outputs, x, w, a));
        gemm.Forward(activation)(gemm.Config(batch, outputs), _view(x), _view(w), _view(b), _view(a), batch, outputs,
            inputs, b.IsEmpty ? 0 : 1);
    }

    /// <summary>dW = Xᵀ·dZ: X [batch, inputs], dZ [batch, outputs], dW [inputs, outputs] overwritten.</summary>
    public void WeightGradient(BufferView x, BufferView dZ, int batch, int inputs, int outputs, BufferView dW)
    {
        if (_cuBlasTN is not null)
        {
            _cuBlasTN(_view(x), _view(dZ), _view(dW), inputs, outputs, batch);
            return;
        }
        GemmKernelSet gemm = Pick(inputs, outputs, GemmWideKernels.Fits(inputs, outputs, x, dZ, dW));
        gemm.WeightGradient.Value(gemm.Config(inputs, outputs), _view(x), _view(dZ), _view(dW), inputs, outputs,
            batch);
    }

    /// <summary>dX = dZ·Wᵀ: dZ [batch, outputs], W [inputs, outputs], dX [batch, inputs] overwritten.</summary>
    public void InputGradient(BufferView dZ, BufferView w, int batch, int inputs, int outputs, BufferView dX)
    {
        if (_cuBlasNT is not null)
        {
            _cuBlasNT(_view(dZ), _view(w), _view(dX), batch, inputs, outputs);
            return;
        }
        GemmKernelSet gemm = Pick(batch, inputs, GemmWideKernels.Fits(inputs, outputs, dZ, w, dX));
        gemm.InputGradient.Value(gemm.Config(batch, inputs), _view(dZ), _view(w), _view(dX), batch, inputs, outputs);
    }

    /// <summary>a ← f(a + b) in place, the epilogue of the cuBLAS forward product. a: [batch, outputs]; b: [outputs]
    /// or empty.</summary>
    public void BiasActivation(BufferView b, int batch, int outputs, Activation activation, BufferView a)
    {
        OpChecks.OptionalLength(b, outputs, nameof(b), nameof(BiasActivation));
        OpChecks.Length(a, (long)batch * outputs, nameof(a), nameof(BiasActivation));
        if (!b.IsEmpty || activation != Activation.Identity)
        {
            _kernels.BiasActivation(a.Length, _view(a), _view(b), outputs, b.IsEmpty ? 0 : 1, (int)activation.Kind);
        }
    }

    private GemmKernelSet Pick(int m, int n, bool wideFits) => TilingFor(m, n, wideFits) switch
    {
        GemmTiling.Wide => _kernels.WideGemm,
        GemmTiling.Large => _kernels.LargeGemm,
        _ => _kernels.SmallGemm,
    };

    private bool FillsDevice(int m, int n, int tileM, int tileN) =>
        m >= tileM && n >= tileN
        && (long)((m + tileM - 1) / tileM) * ((n + tileN - 1) / tileN) >= Multiprocessors;
}
