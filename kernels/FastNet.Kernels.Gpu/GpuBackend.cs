using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// <see cref="IBackend"/> on an ILGPU accelerator: a CUDA GPU in production, ILGPU's CPU accelerator in tests. The
/// accelerator and its loaded kernels come from a <see cref="GpuDevice"/>, the products' routing from a
/// <see cref="GemmRouter"/>, and every launch is counted by the backend's <see cref="LaunchCounter"/>. Ops launch on
/// the accelerator's default stream, so they run in submission order and asynchronously until
/// <see cref="Download"/> or <see cref="Synchronize"/>.
/// </summary>
public sealed class GpuBackend : IBackend, IDeviceCounters
{
    private readonly GpuDevice _device;
    private readonly Accelerator _accelerator;
    private readonly LaunchCounter _launches = new();
    private readonly GpuKernels _kernels;
    private readonly CuBlasGemm? _cuBlas;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _placeholder;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _trustSquares;
    private MemoryBuffer1D<float, Stride1D.Dense>? _rowStats, _chunkSums;
    private PageLockedStaging? _staging;
    private long _bytesInUse;
    private bool _disposed;

    // Up to this many loss elements one group computes the loss and its metrics in a single launch; beyond, rows
    // spread over the device and a second launch adds their sums.
    private const long FusedLossLimit = 1 << 16;

    /// <summary>Builds the backend on the first CUDA device; throws <see cref="InvalidOperationException"/> when
    /// there is none.</summary>
    public GpuBackend() : this(GpuBackendOptions.Cuda)
    {
    }

    /// <summary>Builds the backend on the accelerator <paramref name="options"/> names, whose kernels are loaded once
    /// per device.</summary>
    public GpuBackend(GpuBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _device = GpuDevice.For(options);
        _accelerator = _device.Accelerator;
        try
        {
            _kernels = _device.Kernels.CountedBy(_launches);
            _placeholder = _accelerator.Allocate1D<float>(1);
            _trustSquares = _accelerator.Allocate1D<double>(2);
            // the name says which GEMMs run, so side-by-side results stay apart
            Name = options.ForceOwnKernels ? GpuBackendInfo.OwnKernelsName : GpuBackendInfo.Name;
            if (!options.ForceOwnKernels && _accelerator is CudaAccelerator cuda)
            {
                _cuBlas = CuBlasGemm.TryCreate(cuda);
                Track(_cuBlas?.WorkspaceBytes ?? 0);
            }
            Gemm = new GemmRouter(options.Tiling, _accelerator.NumMultiprocessors, _kernels, _cuBlas, _launches, View);
        }
        catch
        {
            _placeholder?.Dispose();
            _trustSquares?.Dispose();
            ReleaseDevice();
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

    /// <summary>The accelerator and its loaded kernels, shared with other backends on the CPU accelerator.</summary>
    internal GpuDevice Device => _device;

    /// <summary>Where the dense layers' products run: cuBLAS or which tiling.</summary>
    internal GemmRouter Gemm { get; }

    /// <inheritdoc />
    /// <remarks>A cuBLAS call counts as one launch.</remarks>
    public long KernelLaunches => _launches.Launches;

    /// <summary>True when the GEMMs go through cuBLAS (a CUDA device with a loadable cuBLAS, not forced off).</summary>
    public bool UsesCuBlas => Gemm.UsesCuBlas;

    /// <inheritdoc />
    public FloatBuffer Allocate(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this); // the accelerator is gone
        return new GpuFloatBuffer(this, _accelerator, length);
    }

    /// <inheritdoc />
    public IndexBuffer AllocateIndices(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new GpuIndexBuffer(this, _accelerator, length);
    }

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
            _kernels.Fill(destination.Length, View(destination), value);
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
            _kernels.Dropout(source.Length, View(source), View(destination), mask.Stream, mask.FirstElement,
                mask.KeepThreshold, mask.Scale);
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
            _kernels.GatherRows(rows * rowLength, View(source), index.View, View(destination), rowLength, first);
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
            _kernels.SeparateActivation(a.Length, View(target), View(a), (int)activation.Kind, activation.Slope);
            return;
        }
        if (batch == 1)
        {
            // a matrix–vector product, bias and activation in one launch, with or without cuBLAS
            _kernels.RowForward(RowKernels.ForwardConfig(outputs), View(x), View(w), View(b), View(a), inputs,
                outputs, b.IsEmpty ? 0 : 1, (int)activation.Kind);
            return;
        }
        Gemm.Forward(x, w, b, batch, inputs, outputs, activation, a);
    }

    /// <inheritdoc />
    public void DenseBackward(BufferView x, BufferView w, BufferView a, int batch, int inputs, int outputs,
        Activation activation, BufferView delta, BufferView dW, BufferView db, BufferView dX, BufferView z = default)
    {
        OpChecks.DenseBackward(x, w, a, batch, inputs, outputs, delta, dW, db, dX);
        OpChecks.PreActivation(activation, z, batch, outputs, nameof(DenseBackward));
        activation = ScaleBySeparateDerivative(activation, a, z, delta);
        int chunks = ElementwiseKernels.GradientChunks(batch);
        // One chunk of rows writes db itself; more leave per-chunk column sums that a second kernel adds in order.
        ArrayView<float> sums = chunks == 1 || db.IsEmpty
            ? View(db)
            : Scratch(ref _chunkSums, (long)chunks * outputs);
        // An identity layer without bias has dZ = ∂L/∂A already: nothing to launch.
        if (activation != Activation.Identity || !db.IsEmpty)
        {
            _kernels.ActivationGradient(ElementwiseKernels.GradientConfig(batch, outputs), View(a), View(delta), sums,
                batch, outputs, db.IsEmpty ? 0 : 1, (int)activation.Kind);
        }
        if (chunks > 1 && !db.IsEmpty)
        {
            _kernels.SumChunks(outputs, sums, View(db), outputs, chunks);
        }
        // delta holds dZ from here on
        Gemm.WeightGradient(x, delta, batch, inputs, outputs, dW);
        if (dX.IsEmpty)
        {
            return;
        }
        if (batch == 1)
        {
            // the fused per-example step computes dX with this kernel too, so the two agree bit for bit
            RowBackward(x, a, delta, dX, w, BufferView.Empty, default, inputs, outputs, Activation.Identity,
                update: false);
            return;
        }
        Gemm.InputGradient(delta, w, batch, inputs, outputs, dX);
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
        BufferView dOutput, BufferView metrics, int meanOver = 0)
    {
        int mean = OpChecks.Loss(output, targets, batch, outputs, dOutput, metrics, meanOver);
        if (loss is not (LossKind.HalfSquaredError or LossKind.MeanSquaredError or LossKind.SoftmaxCrossEntropy))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss");
        }
        if ((long)batch * outputs <= FusedLossLimit)
        {
            _kernels.LossAndMetrics(new KernelConfig(1, ElementwiseKernels.Threads), View(output), View(targets),
                View(dOutput), View(metrics), batch, outputs, (int)loss, dOutput.IsEmpty ? 0 : 1, mean);
            return;
        }
        ArrayView<float> rowStats = Scratch(ref _rowStats, 2L * batch);
        _kernels.LossRows(batch, View(output), View(targets), View(dOutput), rowStats, batch, outputs, (int)loss,
            dOutput.IsEmpty ? 0 : 1, mean);
        _kernels.AccumulateMetrics(new KernelConfig(1, ElementwiseKernels.Threads), rowStats, View(metrics), batch);
    }

    /// <inheritdoc />
    public void OptimizerStep(BufferView dParameters, in OptimizerStep step, BufferView parameters, BufferView state)
    {
        OpChecks.OptimizerStep(dParameters, step, parameters, state);
        if (dParameters.IsEmpty)
        {
            return;
        }
        _kernels.Optimize(dParameters.Length, View(dParameters), View(parameters), View(state),
            new OptimizerScalars(step), dParameters.Length);
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
            _kernels.LambMoments(n, g, m, v, scalars);
        }
        _kernels.TrustNorms(new KernelConfig(1, ElementwiseKernels.Threads), g, w, m, v, _trustSquares.View, scalars,
            n);
        _kernels.TrustApply(n, g, w, m, v, _trustSquares.View, scalars);
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
        ReleaseDevice();
    }

    // A CUDA device belongs to this backend; the process's CPU accelerator stays for the other backends on it.
    private void ReleaseDevice()
    {
        if (!_device.IsProcessWide)
        {
            _device.Dispose();
        }
    }

    // For an activation applied in its own pass: delta ⊙= f'(stored) here, and the rest of the backward pass is the
    // identity's. Returns the activation the rest should use.
    private Activation ScaleBySeparateDerivative(Activation activation, BufferView a, BufferView z, BufferView delta)
    {
        if (!activation.IsSeparatePass)
        {
            return activation;
        }
        _kernels.SeparateDerivative(delta.Length, View(activation.NeedsPreActivation ? z : a), View(delta),
            (int)activation.Kind, activation.Slope);
        return Activation.Identity;
    }

    // RowKernels.Backward: dX of a single row and, with update, the SGD step of the layer's weights and biases.
    private void RowBackward(BufferView x, BufferView a, BufferView delta, BufferView dX, BufferView w, BufferView b,
        OptimizerScalars scalars, int inputs, int outputs, Activation activation, bool update)
    {
        if (dX.IsEmpty && !update)
        {
            return;
        }
        _kernels.RowBackward(RowKernels.BackwardConfig(inputs, _accelerator.WarpSize), View(x), View(a), View(delta),
            View(dX), View(w), View(b), scalars, inputs, outputs, (int)activation.Kind, dX.IsEmpty ? 0 : 1,
            update ? 1 : 0, b.IsEmpty ? 0 : 1);
    }

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
}
