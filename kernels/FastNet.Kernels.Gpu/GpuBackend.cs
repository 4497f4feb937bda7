using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ForwardKernel = System.Action<ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>,
    ILGPU.ArrayView<float>, int, int, int, int>;
using ForwardLauncher = System.Action<ILGPU.KernelConfig, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>,
    ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, int, int, int, int>;
using ProductLauncher = System.Action<ILGPU.KernelConfig, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>,
    ILGPU.ArrayView<float>, int, int, int>;

namespace FastNet.Kernels.Gpu;

/// <summary>How a <see cref="GpuBackend"/> picks its accelerator.</summary>
public sealed record GpuBackendOptions
{
    /// <summary>Run the kernels on ILGPU's CPU accelerator instead of a CUDA device (tests; no GPU needed).</summary>
    public bool UseCpuAccelerator { get; init; }

    /// <summary>Which CUDA device, in ILGPU's order.</summary>
    public int CudaDeviceIndex { get; init; }

    /// <summary>This process's rank among the ranks of a data-parallel job on its host, or null: with one, the device
    /// is <see cref="DeviceOfLocalRank"/> and <see cref="CudaDeviceIndex"/> is not used.</summary>
    public int? LocalRank { get; init; }

    /// <summary>Which GEMM tiling to use; <see cref="GemmTiling.Auto"/> picks per product.</summary>
    public GemmTiling Tiling { get; init; }

    /// <summary>Never use cuBLAS, even where it is installed: only FastNet's kernels.</summary>
    public bool ForceOwnKernels { get; init; }

    /// <summary>The first CUDA device.</summary>
    public static GpuBackendOptions Cuda => new();

    /// <summary>The environment variables by which an MPI launcher tells a process its rank on its host: Open MPI's,
    /// then MPICH's (Hydra).</summary>
    public static readonly string[] LocalRankVariables = ["OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"];

    /// <summary>The CUDA device, the first one, or under an MPI launcher the one of this process's local rank.</summary>
    public static GpuBackendOptions ForThisProcess() => new() { LocalRank = LocalRankOf(Environment.GetEnvironmentVariable) };

    /// <summary>The local rank an MPI launcher announces in <paramref name="environment"/>, or null.</summary>
    public static int? LocalRankOf(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (string name in LocalRankVariables)
        {
            if (int.TryParse(environment(name), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int rank))
            {
                return rank;
            }
        }
        return null;
    }

    /// <summary>The device of local rank <paramref name="localRank"/> among <paramref name="devices"/>: the ranks of
    /// a host take its devices in turn (4 ranks on 2 devices: 0, 1, 0, 1), so each GPU serves as few ranks as it
    /// can.</summary>
    public static int DeviceOfLocalRank(int localRank, int devices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localRank);
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 1);
        return localRank % devices;
    }

    /// <summary>
    /// ILGPU's CPU accelerator shaped like a small GPU: warps of 32 threads, 8 warps per group, one multiprocessor.
    /// The GEMM groups need 256 threads, more than the default CPU device allows.
    /// </summary>
    public static GpuBackendOptions CpuAccelerator => new() { UseCpuAccelerator = true };
}

/// <summary>The GEMM kernels a <see cref="GpuBackend"/> may use.</summary>
public enum GemmTiling
{
    /// <summary>
    /// Per product, the largest tile of which the product has at least one per multiprocessor: 128×256
    /// (<see cref="Wide"/>, only when <see cref="GemmWideKernels.Fits"/>), then 128×128, else 64×64.
    /// </summary>
    Auto,

    /// <summary>Always <see cref="GemmKernels"/> (64×64 tiles).</summary>
    Small,

    /// <summary>Always <see cref="GemmLargeKernels"/> (128×128 tiles).</summary>
    Large,

    /// <summary>
    /// <see cref="GemmWideKernels"/> (128×256 tiles, 16-byte vectors) for every product whose operands fit its
    /// vectors; the others take the <see cref="Auto"/> choice between 128×128 and 64×64.
    /// </summary>
    Wide,
}

/// <summary>
/// <see cref="IBackend"/> on an ILGPU accelerator: a CUDA GPU in production, ILGPU's CPU accelerator in tests.
/// The elementwise and per-example kernels are compiled in the constructor, each GEMM on its first launch. Ops launch
/// them on the accelerator's default stream, so they run in submission order and asynchronously until
/// <see cref="Download"/> or <see cref="Synchronize"/>.
/// </summary>
public sealed class GpuBackend : IBackend, IDeviceCounters
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _placeholder;
    private MemoryBuffer1D<float, Stride1D.Dense>? _rowStats, _chunkSums;
    private PageLockedStaging? _staging;
    private long _bytesInUse;
    private bool _disposed;

    // Up to this many loss elements one group computes the loss and its metrics in a single launch; beyond, rows
    // spread over the device and a second launch adds their sums.
    private const long FusedLossLimit = 1 << 16;

    private readonly GemmTiling _tiling;
    private readonly Gemm _small, _large, _wide;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>
        _activationGradient;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int,
        int, int> _lossRows;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> _accumulateMetrics;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int,
        int, int, int> _lossAndMetrics;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> _sumChunks;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, OptimizerScalars, int>
        _optimize;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TrustScalars> _lambMoments;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<double>, TrustScalars, int> _trustNorms;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<double>, TrustScalars> _trustApply;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _trustSquares;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _gather;
    private readonly Action<Index1D, ArrayView<float>, float> _fill;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ulong, long, uint, float> _dropout;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> _biasActivation;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> _separateActivation,
        _separateDerivative;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int,
        int, int, int> _rowForward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, OptimizerScalars, int, int, int, int, int, int> _rowBackward;
    private readonly CuBlasGemm? _cuBlas;
    private long _launches;

    /// <summary>Builds the backend on the first CUDA device; throws <see cref="InvalidOperationException"/> when
    /// there is none.</summary>
    public GpuBackend() : this(GpuBackendOptions.Cuda)
    {
    }

    /// <summary>Builds the backend on the accelerator <paramref name="options"/> names and compiles its kernels.</summary>
    public GpuBackend(GpuBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_context, _accelerator) = options.UseCpuAccelerator ? CreateCpu() : CreateCuda(options);
        try
        {
            if (_accelerator.MaxNumThreadsPerGroup < GemmKernels.Threads)
            {
                throw new InvalidOperationException(
                    $"{_accelerator.Name} allows {_accelerator.MaxNumThreadsPerGroup} threads per group; "
                    + $"the kernels need {GemmKernels.Threads}");
            }
            _placeholder = _accelerator.Allocate1D<float>(1);
            _trustSquares = _accelerator.Allocate1D<double>(2);
            _tiling = options.Tiling;
            _small = new Gemm(_accelerator, GemmKernels.ForwardNN<IdentityFunction>, GemmKernels.WeightGradientTN,
                GemmKernels.InputGradientNT, GemmKernels.Config, GemmKernels.LaunchBounds);
            _large = new Gemm(_accelerator, GemmLargeKernels.ForwardNN<IdentityFunction>,
                GemmLargeKernels.WeightGradientTN, GemmLargeKernels.InputGradientNT, GemmLargeKernels.Config,
                GemmLargeKernels.LaunchBounds);
            _wide = new Gemm(_accelerator, GemmWideKernels.ForwardNN<IdentityFunction>,
                GemmWideKernels.WeightGradientTN, GemmWideKernels.InputGradientNT, GemmWideKernels.Config,
                GemmWideKernels.LaunchBounds);
            _activationGradient = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
                int, int, int, int>(ElementwiseKernels.ActivationGradient);
            _lossRows = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, int, int, int, int>(ElementwiseKernels.LossRows);
            _accumulateMetrics = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(
                ElementwiseKernels.AccumulateMetrics);
            _lossAndMetrics = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, int, int, int, int>(ElementwiseKernels.LossAndMetrics);
            _sumChunks = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int,
                int>(ElementwiseKernels.SumChunks);
            _optimize = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, OptimizerScalars, int>(ElementwiseKernels.Optimize);
            _lambMoments = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, TrustScalars>(ElementwiseKernels.LambMoments);
            _trustNorms = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<double>, TrustScalars, int>(ElementwiseKernels.TrustNorms);
            _trustApply = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<double>, TrustScalars>(ElementwiseKernels.TrustApply);
            _gather = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>,
                ArrayView<float>, int, int>(ElementwiseKernels.GatherRows);
            _fill = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(
                ElementwiseKernels.Fill);
            _dropout = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ulong,
                long, uint, float>(ElementwiseKernels.Dropout);
            _biasActivation = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
                int, int, int>(ElementwiseKernels.BiasActivation);
            _separateActivation = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>,
                ArrayView<float>, int, float>(ElementwiseKernels.SeparateActivation);
            _separateDerivative = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>,
                ArrayView<float>, int, float>(ElementwiseKernels.SeparateDerivative);
            _rowForward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, int, int, int, int>(RowKernels.Forward);
            _rowBackward = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, OptimizerScalars, int, int, int, int, int, int>(
                RowKernels.Backward);
            // the name says which GEMMs run, so side-by-side results stay apart
            Name = options.ForceOwnKernels ? GpuBackendInfo.OwnKernelsName : GpuBackendInfo.Name;
            if (!options.ForceOwnKernels && _accelerator is CudaAccelerator cuda)
            {
                _cuBlas = CuBlasGemm.TryCreate(cuda);
                Track(_cuBlas?.WorkspaceBytes ?? 0);
            }
        }
        catch
        {
            _accelerator.Dispose();
            _context.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The accelerator's name, as ILGPU reports it.</summary>
    public string DeviceName => _accelerator.Name;

    /// <summary>
    /// Device memory this backend allocated and holds now, in bytes: the buffers it handed out, its scratch and,
    /// when cuBLAS is used, the workspace it gave cuBLAS. Not included: what the CUDA context, the loaded kernels
    /// and the cuBLAS handle hold internally (see the README).
    /// </summary>
    public long DeviceBytesInUse => Interlocked.Read(ref _bytesInUse);

    /// <summary>
    /// Device memory free now: CUDA's own figure (cuMemGetInfo, which counts every process on the device); ILGPU's CPU
    /// accelerator has no such query, so there it is the accelerator's memory size less what this backend holds.
    /// </summary>
    public long DeviceFreeBytes => _accelerator is CudaAccelerator cuda
        ? cuda.GetFreeMemory()
        : Math.Max(0, _accelerator.MemorySize - DeviceBytesInUse);

    /// <summary>Bytes of the cuBLAS workspace counted in <see cref="DeviceBytesInUse"/>; 0 without cuBLAS.</summary>
    internal long CuBlasWorkspaceBytes => _cuBlas?.WorkspaceBytes ?? 0;

    /// <summary>The page-locked buffers large uploads go through; null until the first one.</summary>
    internal PageLockedStaging? Staging => _staging;

    /// <inheritdoc />
    /// <remarks>A cuBLAS call counts as one launch.</remarks>
    public long KernelLaunches => _launches;

    /// <summary>True when the GEMMs go through cuBLAS (a CUDA device with a loadable cuBLAS, not forced off).</summary>
    public bool UsesCuBlas => _cuBlas is not null;

    /// <inheritdoc />
    public FloatBuffer Allocate(int length) => new GpuFloatBuffer(this, _accelerator, length);

    /// <inheritdoc />
    public IndexBuffer AllocateIndices(int length) => new GpuIndexBuffer(this, _accelerator, length);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, BufferView destination)
    {
        OpChecks.Length(destination, source.Length, nameof(destination), nameof(Upload));
        if (source.Length >= PageLockedStaging.ChunkFloats)
        {
            // Large uploads happen once per dataset or model; the staging buffers are kept for the next one.
            (_staging ??= new PageLockedStaging(_accelerator)).Upload(source, View(destination));
        }
        else if (!source.IsEmpty)
        {
            View(destination).CopyFromCPU(source);
        }
    }

    /// <inheritdoc />
    public void UploadIndices(ReadOnlySpan<int> source, IndexBuffer destination)
    {
        GpuIndexBuffer indices = Indices(destination);
        if (source.Length > indices.Length)
        {
            throw new ArgumentException(
                $"{nameof(UploadIndices)}: {source.Length} indices do not fit a buffer of {indices.Length}",
                nameof(source));
        }
        if (!source.IsEmpty)
        {
            source.CopyTo(indices.Host);
            indices.View.SubView(0, source.Length).CopyFromCPU(source);
        }
    }

    /// <inheritdoc />
    public void Download(BufferView source, Span<float> destination)
    {
        OpChecks.Length(source, destination.Length, nameof(source), nameof(Download));
        _accelerator.Synchronize();
        if (!destination.IsEmpty)
        {
            View(source).CopyToCPU(destination);
        }
    }

    /// <inheritdoc />
    public void Fill(float value, BufferView destination)
    {
        if (!destination.IsEmpty)
        {
            _fill(destination.Length, View(destination), value);
            _launches++;
        }
    }

    /// <inheritdoc />
    public void Synchronize() => _accelerator.Synchronize();

    /// <inheritdoc />
    public void Dropout(BufferView source, in DropoutMask mask, BufferView destination)
    {
        OpChecks.Dropout(source, destination);
        if (!source.IsEmpty)
        {
            _dropout(source.Length, View(source), View(destination), mask.Stream, mask.FirstElement,
                mask.KeepThreshold, mask.Scale);
            _launches++;
        }
    }

    /// <inheritdoc />
    public void GatherRows(BufferView source, int rowLength, IndexBuffer indices, int first, int rows,
        BufferView destination)
    {
        OpChecks.GatherRows(source, rowLength, indices, first, rows, destination);
        GpuIndexBuffer index = Indices(indices);
        OpChecks.RowIndices(index.Host.AsSpan(first, rows), source.Length / rowLength); // the host copy kept at upload
        if (rows > 0)
        {
            _gather(rows * rowLength, View(source), index.View, View(destination), rowLength, first);
            _launches++;
        }
    }

    /// <inheritdoc />
    public void DenseForward(BufferView x, BufferView w, BufferView b, int batch, int inputs, int outputs,
        Activation activation, BufferView a, BufferView z = default)
    {
        OpChecks.DenseForward(x, w, b, batch, inputs, outputs, a);
        OpChecks.PreActivation(activation, z, batch, outputs, nameof(DenseForward));
        if (activation.IsSeparatePass)
        {
            // Z = X·W + b by the identity path (into z when it is kept), then A = f(Z) in a kernel of its own
            BufferView target = activation.NeedsPreActivation ? z : a;
            DenseForward(x, w, b, batch, inputs, outputs, Activation.Identity, target);
            _separateActivation(a.Length, View(target), View(a), (int)activation.Kind, activation.Slope);
            _launches++;
            return;
        }
        if (batch == 1)
        {
            // a matrix–vector product, bias and activation in one launch, with or without cuBLAS
            _rowForward(RowKernels.ForwardConfig(outputs), View(x), View(w), View(b), View(a), inputs, outputs,
                b.IsEmpty ? 0 : 1, (int)activation.Kind);
            _launches++;
            return;
        }
        if (_cuBlas is not null)
        {
            _cuBlas.NN(View(x), View(w), View(a), batch, outputs, inputs);
            _launches++;
            ApplyBiasActivation(b, batch, outputs, activation, a);
            return;
        }
        Gemm gemm = Pick(batch, outputs, GemmWideKernels.Fits(inputs, outputs, x, w, a));
        gemm.Forward(activation)(gemm.Config(batch, outputs), View(x), View(w), View(b), View(a), batch, outputs,
            inputs, b.IsEmpty ? 0 : 1);
        _launches++;
    }

    /// <inheritdoc />
    public void DenseBackward(BufferView x, BufferView w, BufferView a, int batch, int inputs, int outputs,
        Activation activation, BufferView delta, BufferView dW, BufferView db, BufferView dX, BufferView z = default)
    {
        OpChecks.DenseBackward(x, w, a, batch, inputs, outputs, delta, dW, db, dX);
        OpChecks.PreActivation(activation, z, batch, outputs, nameof(DenseBackward));
        activation = ScaleBySeparateDerivative(activation, a, z, delta);
        ArrayView<float> dz = View(delta);
        int chunks = ElementwiseKernels.GradientChunks(batch);
        // One chunk of rows writes db itself; more leave per-chunk column sums that a second kernel adds in order.
        ArrayView<float> sums = chunks == 1 || db.IsEmpty
            ? View(db)
            : Scratch(ref _chunkSums, (long)chunks * outputs);
        // An identity layer without bias has dZ = ∂L/∂A already: nothing to launch.
        if (activation != Activation.Identity || !db.IsEmpty)
        {
            _activationGradient(ElementwiseKernels.GradientConfig(batch, outputs), View(a), dz, sums, batch, outputs,
                db.IsEmpty ? 0 : 1, (int)activation.Kind);
            _launches++;
        }
        if (chunks > 1 && !db.IsEmpty)
        {
            _sumChunks(outputs, sums, View(db), outputs, chunks);
            _launches++;
        }
        if (_cuBlas is not null)
        {
            _cuBlas.TN(View(x), dz, View(dW), inputs, outputs, batch);
            _launches++;
        }
        else
        {
            Gemm gemm = Pick(inputs, outputs, GemmWideKernels.Fits(inputs, outputs, x, delta, dW));
            gemm.WeightGradient.Value(gemm.Config(inputs, outputs), View(x), dz, View(dW), inputs, outputs, batch);
            _launches++;
        }
        if (dX.IsEmpty)
        {
            return;
        }
        if (batch == 1)
        {
            // dZ is in delta now; the fused per-example step computes dX with this kernel too, so the two agree
            // bit for bit
            RowBackward(x, a, delta, dX, w, BufferView.Empty, default, inputs, outputs, Activation.Identity,
                update: false);
        }
        else if (_cuBlas is not null)
        {
            _cuBlas.NT(dz, View(w), View(dX), batch, inputs, outputs);
            _launches++;
        }
        else
        {
            Gemm gemm = Pick(batch, inputs, GemmWideKernels.Fits(inputs, outputs, delta, w, dX));
            gemm.InputGradient.Value(gemm.Config(batch, inputs), dz, View(w), View(dX), batch, inputs, outputs);
            _launches++;
        }
    }

    /// <inheritdoc />
    public void DenseBackwardSgdStep(BufferView x, BufferView a, int batch, int inputs, int outputs,
        Activation activation, BufferView delta, BufferView dX, in OptimizerStep step, BufferView w, BufferView b,
        BufferView dW, BufferView db, BufferView z = default)
    {
        if (batch != 1)
        {
            ComposedOps.DenseBackwardSgdStep(this, x, a, batch, inputs, outputs, activation, delta, dX, step, w, b, dW,
                db, z);
            return;
        }
        OpChecks.DenseBackward(x, w, a, batch, inputs, outputs, delta, dW, db, dX);
        OpChecks.DenseBackwardSgdStep(step, b, db, outputs);
        OpChecks.PreActivation(activation, z, batch, outputs, nameof(DenseBackwardSgdStep));
        activation = ScaleBySeparateDerivative(activation, a, z, delta);
        // one launch: each weight row gives its dX entry from the weights before the update, then takes its step
        RowBackward(x, a, delta, dX, w, b, new OptimizerScalars(step), inputs, outputs, activation, update: true);
    }

    /// <inheritdoc />
    public void Loss(BufferView output, BufferView targets, int batch, int outputs, LossKind loss,
        BufferView dOutput, BufferView metrics)
    {
        OpChecks.Loss(output, targets, batch, outputs, dOutput, metrics);
        if (loss is not (LossKind.HalfSquaredError or LossKind.MeanSquaredError or LossKind.SoftmaxCrossEntropy))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss");
        }
        if ((long)batch * outputs <= FusedLossLimit)
        {
            _lossAndMetrics(new KernelConfig(1, ElementwiseKernels.Threads), View(output), View(targets),
                View(dOutput), View(metrics), batch, outputs, (int)loss, dOutput.IsEmpty ? 0 : 1);
            _launches++;
            return;
        }
        ArrayView<float> rowStats = Scratch(ref _rowStats, 2L * batch);
        _lossRows(batch, View(output), View(targets), View(dOutput), rowStats, batch, outputs, (int)loss,
            dOutput.IsEmpty ? 0 : 1);
        _accumulateMetrics(new KernelConfig(1, ElementwiseKernels.Threads), rowStats, View(metrics), batch);
        _launches += 2;
    }

    /// <inheritdoc />
    public void OptimizerStep(BufferView dParameters, in OptimizerStep step, BufferView parameters, BufferView state)
    {
        OpChecks.OptimizerStep(dParameters, step, parameters, state);
        if (dParameters.IsEmpty)
        {
            return;
        }
        _optimize(dParameters.Length, View(dParameters), View(parameters), View(state), new OptimizerScalars(step),
            dParameters.Length);
        _launches++;
    }

    /// <inheritdoc />
    public void TrustRatioStep(BufferView dParameters, in OptimizerStep step, BufferView parameters, BufferView moment,
        BufferView secondMoment, bool adapt)
    {
        OpChecks.TrustRatioStep(dParameters, step, parameters, moment, secondMoment);
        if (dParameters.IsEmpty)
        {
            return;
        }
        var scalars = new TrustScalars(step, adapt);
        int n = dParameters.Length;
        ArrayView<float> g = View(dParameters), w = View(parameters), m = View(moment), v = View(secondMoment);
        if (step.Kind == OptimizerKind.Lamb)
        {
            _lambMoments(n, g, m, v, scalars);
            _launches++;
        }
        _trustNorms(new KernelConfig(1, ElementwiseKernels.Threads), g, w, m, v, _trustSquares.View, scalars, n);
        _trustApply(n, g, w, m, v, _trustSquares.View, scalars);
        _launches += 2;
    }

    // For an activation applied in its own pass: delta ⊙= f'(stored) here, and the rest of the backward pass is the
    // identity's. Returns the activation the rest should use.
    private Activation ScaleBySeparateDerivative(Activation activation, BufferView a, BufferView z, BufferView delta)
    {
        if (!activation.IsSeparatePass)
        {
            return activation;
        }
        _separateDerivative(delta.Length, View(activation.NeedsPreActivation ? z : a), View(delta),
            (int)activation.Kind, activation.Slope);
        _launches++;
        return Activation.Identity;
    }

    /// <summary>
    /// a ← f(a + b) in place, the epilogue of the cuBLAS forward path; exposed so tests can check it on
    /// accelerators without cuBLAS. a: [batch, outputs]; b: [outputs] or empty.
    /// </summary>
    internal void ApplyBiasActivation(BufferView b, int batch, int outputs, Activation activation, BufferView a)
    {
        OpChecks.OptionalLength(b, outputs, nameof(b), nameof(ApplyBiasActivation));
        OpChecks.Length(a, (long)batch * outputs, nameof(a), nameof(ApplyBiasActivation));
        if (!b.IsEmpty || activation != Activation.Identity)
        {
            _biasActivation(a.Length, View(a), View(b), outputs, b.IsEmpty ? 0 : 1, (int)activation.Kind);
            _launches++;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _accelerator.Synchronize();
        _staging?.Dispose();
        _cuBlas?.Dispose();
        _rowStats?.Dispose();
        _chunkSums?.Dispose();
        _placeholder.Dispose();
        _trustSquares.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    private static (Context, Accelerator) CreateCpu()
    {
        // O1: GPU.md records O2 moving shared loads across barriers; the CPU path uses the same level as CUDA.
        var context = Context.Create(builder => builder
            .CPU(new CPUDevice(32, 8, 1))
            .Optimize(OptimizationLevel.O1)
            .EnableAlgorithms());
        try
        {
            return (context, context.GetCPUDevice(0).CreateCPUAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static (Context, Accelerator) CreateCuda(GpuBackendOptions options)
    {
        var context = GpuBackendInfo.CreateCudaContext();
        try
        {
            int count = context.GetCudaDevices().Count;
            if (count == 0)
            {
                throw new InvalidOperationException(GpuBackendInfo.NoCudaDevice);
            }
            int deviceIndex = options.LocalRank is int rank ? GpuBackendOptions.DeviceOfLocalRank(rank, count) : options.CudaDeviceIndex;
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(deviceIndex, count);
            return (context, context.CreateCudaAccelerator(deviceIndex));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    // RowKernels.Backward: dX of a single row and, with update, the SGD step of the layer's weights and biases.
    private void RowBackward(BufferView x, BufferView a, BufferView delta, BufferView dX, BufferView w, BufferView b,
        OptimizerScalars scalars, int inputs, int outputs, Activation activation, bool update)
    {
        if (dX.IsEmpty && !update)
        {
            return;
        }
        _rowBackward(RowKernels.BackwardConfig(inputs, _accelerator.WarpSize), View(x), View(a), View(delta),
            View(dX), View(w), View(b), scalars, inputs, outputs, (int)activation.Kind, dX.IsEmpty ? 0 : 1, update ? 1 : 0,
            b.IsEmpty ? 0 : 1);
        _launches++;
    }

    /// <summary>
    /// The tiling an [m, n] product gets: with <see cref="GemmTiling.Auto"/> the largest tile of which it has at least
    /// one per multiprocessor; the wide tile only when its operands fit the vectors (<paramref name="wideFits"/>).
    /// </summary>
    internal GemmTiling TilingFor(int m, int n, bool wideFits) => _tiling switch
    {
        GemmTiling.Small => GemmTiling.Small,
        GemmTiling.Large => GemmTiling.Large,
        GemmTiling.Wide when wideFits => GemmTiling.Wide,
        GemmTiling.Auto when wideFits && FillsDevice(m, n, GemmWideKernels.TileM, GemmWideKernels.TileN) =>
            GemmTiling.Wide,
        _ => FillsDevice(m, n, GemmLargeKernels.Tile, GemmLargeKernels.Tile) ? GemmTiling.Large : GemmTiling.Small,
    };

    /// <summary>Multiprocessors of the accelerator, which the automatic tiling fills.</summary>
    internal int Multiprocessors => _accelerator.NumMultiprocessors;

    private Gemm Pick(int m, int n, bool wideFits) => TilingFor(m, n, wideFits) switch
    {
        GemmTiling.Wide => _wide,
        GemmTiling.Large => _large,
        _ => _small,
    };

    private bool FillsDevice(int m, int n, int tileM, int tileN) =>
        m >= tileM && n >= tileN
        && (long)((m + tileM - 1) / tileM) * ((n + tileN - 1) / tileN) >= Multiprocessors;

    internal void Track(long bytes) => Interlocked.Add(ref _bytesInUse, bytes);

    // Scratch memory (per-row loss stats, per-chunk column sums): grown when a larger shape arrives, then reused.
    private ArrayView<float> Scratch(ref MemoryBuffer1D<float, Stride1D.Dense>? buffer, long length)
    {
        if (buffer is null || buffer.Length < length)
        {
            if (buffer is not null)
            {
                _accelerator.Synchronize();
                Track(-buffer.LengthInBytes);
                buffer.Dispose();
            }
            buffer = _accelerator.Allocate1D<float>(length);
            Track(buffer.LengthInBytes);
        }
        return buffer.View.SubView(0, length);
    }

    // An absent operand becomes a one-float placeholder the kernels never read (their flags say so).
    private ArrayView<float> View(BufferView view)
    {
        if (view.IsEmpty)
        {
            return _placeholder.View;
        }
        if (view.Buffer is not GpuFloatBuffer gpu || !ReferenceEquals(gpu.Owner, this))
        {
            throw new ArgumentException(
                $"the gpu backend was given a buffer of type {view.Buffer?.GetType().Name ?? "null"} it did not "
                + "allocate; buffers belong to the backend that allocated them", nameof(view));
        }
        return gpu.View(view.Offset, view.Length);
    }

    private GpuIndexBuffer Indices(IndexBuffer indices) =>
        indices is GpuIndexBuffer gpu && ReferenceEquals(gpu.Owner, this)
            ? gpu
            : throw new ArgumentException(
                $"the gpu backend was given an index buffer of type {indices.GetType().Name} it did not allocate",
                nameof(indices));

    // The products of one tiling, each compiled and loaded on its first launch: a backend whose GEMMs go through
    // cuBLAS, or that only trains per example, never compiles them, and the forward is compiled only for the
    // activations that are used.
    private sealed class Gemm
    {
        private readonly Lazy<ForwardLauncher>[] _forward;

        public Gemm(Accelerator accelerator, ForwardKernel forward,
            Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> weightGradient,
            Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> inputGradient,
            Func<int, int, KernelConfig> config, KernelSpecialization bounds)
        {
            // forward is the identity instance of the generic kernel; the other activations instantiate the same one
            MethodInfo generic = forward.Method.GetGenericMethodDefinition();
            _forward = [.. ActivationFunctions.Fused.Select(activation => new Lazy<ForwardLauncher>(() =>
                accelerator.LoadStreamKernel(generic.MakeGenericMethod(ActivationFunctions.For(activation))
                    .CreateDelegate<ForwardKernel>(), bounds)))];
            WeightGradient = new(() => accelerator.LoadStreamKernel(weightGradient, bounds));
            InputGradient = new(() => accelerator.LoadStreamKernel(inputGradient, bounds));
            Config = config;
        }

        public ForwardLauncher Forward(Activation activation) => _forward[(int)activation.Kind].Value; // Fused is in kind order

        public Lazy<ProductLauncher> WeightGradient { get; }

        public Lazy<ProductLauncher> InputGradient { get; }

        public Func<int, int, KernelConfig> Config { get; }
    }
}
