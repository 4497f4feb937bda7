using ILGPU;
using ILGPU.Runtime;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// The launcher of every kernel the backend uses, loaded on one accelerator: the elementwise and per-example kernels
/// when the device opens (a kernel that fails to compile fails there, clearly), the GEMMs on their first launch.
/// A <see cref="GpuDevice"/> holds the loaded set; each backend launches through a copy counted by its own
/// <see cref="LaunchCounter"/>.
/// </summary>
internal sealed class GpuKernels
{
    public GpuKernels(Accelerator accelerator)
    {
        SmallGemm = new GemmKernelSet(accelerator, GemmKernels.ForwardNN<IdentityFunction>,
            GemmKernels.WeightGradientTN, GemmKernels.InputGradientNT, GemmKernels.Config, GemmKernels.LaunchBounds);
        LargeGemm = new GemmKernelSet(accelerator, GemmLargeKernels.ForwardNN<IdentityFunction>,
            GemmLargeKernels.WeightGradientTN, GemmLargeKernels.InputGradientNT, GemmLargeKernels.Config,
            GemmLargeKernels.LaunchBounds);
        WideGemm = new GemmKernelSet(accelerator, GemmWideKernels.ForwardNN<IdentityFunction>,
            GemmWideKernels.WeightGradientTN, GemmWideKernels.InputGradientNT, GemmWideKernels.Config,
            GemmWideKernels.LaunchBounds);
        ActivationGradient = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int,
            int, int, int>(ElementwiseKernels.ActivationGradient);
        LossRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, int, int, int, int>(ElementwiseKernels.LossRows);
        AccumulateMetrics = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(
            ElementwiseKernels.AccumulateMetrics);
        LossAndMetrics = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, int, int, int, int, int>(ElementwiseKernels.LossAndMetrics);
        SumChunks = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(
            ElementwiseKernels.SumChunks);
        Optimize = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, OptimizerScalars, int>(ElementwiseKernels.Optimize);
        LambMoments = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, TrustScalars>(ElementwiseKernels.LambMoments);
        TrustNorms = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<double>, TrustScalars, int>(ElementwiseKernels.TrustNorms);
        TrustApply = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<double>, TrustScalars>(ElementwiseKernels.TrustApply);
        GatherRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>,
            ArrayView<float>, int, int>(ElementwiseKernels.GatherRows);
        Fill = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Fill);
        Dropout = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ulong, long,
            uint, float>(ElementwiseKernels.Dropout);
        BiasActivation = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int,
            int, int>(ElementwiseKernels.BiasActivation);
        SeparateActivation = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            int, float>(ElementwiseKernels.SeparateActivation);
        SeparateDerivative = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            int, float>(ElementwiseKernels.SeparateDerivative);
        RowForward = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, int, int, int, int>(RowKernels.Forward);
        RowBackward = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, OptimizerScalars, int, int, int, int, int, int>(
            RowKernels.Backward);
    }

    private GpuKernels(GpuKernels loaded, LaunchCounter counter)
    {
        SmallGemm = loaded.SmallGemm.CountedBy(counter);
        LargeGemm = loaded.LargeGemm.CountedBy(counter);
        WideGemm = loaded.WideGemm.CountedBy(counter);
        ActivationGradient = counter.Counting(loaded.ActivationGradient);
        LossRows = counter.Counting(loaded.LossRows);
        AccumulateMetrics = counter.Counting(loaded.AccumulateMetrics);
        LossAndMetrics = counter.Counting(loaded.LossAndMetrics);
        SumChunks = counter.Counting(loaded.SumChunks);
        Optimize = counter.Counting(loaded.Optimize);
        LambMoments = counter.Counting(loaded.LambMoments);
        TrustNorms = counter.Counting(loaded.TrustNorms);
        TrustApply = counter.Counting(loaded.TrustApply);
        GatherRows = counter.Counting(loaded.GatherRows);
        Fill = counter.Counting(loaded.Fill);
        Dropout = counter.Counting(loaded.Dropout);
        BiasActivation = counter.Counting(loaded.BiasActivation);
        SeparateActivation = counter.Counting(loaded.SeparateActivation);
        SeparateDerivative = counter.Counting(loaded.SeparateDerivative);
        RowForward = counter.Counting(loaded.RowForward);
        RowBackward = counter.Counting(loaded.RowBackward);
    }

    /// <summary>64×64 tiles (<see cref="GemmKernels"/>).</summary>
    public GemmKernelSet SmallGemm { get; }

    /// <summary>128×128 tiles (<see cref="GemmLargeKernels"/>).</summary>
    public GemmKernelSet LargeGemm { get; }

    /// <summary>128×256 tiles of 16-byte vectors (<see cref="GemmWideKernels"/>).</summary>
    public GemmKernelSet WideGemm { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>
        ActivationGradient
    { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int,
        int> LossRows
    { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> AccumulateMetrics { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int,
        int, int> LossAndMetrics
    { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> SumChunks { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, OptimizerScalars, int> Optimize
    { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TrustScalars> LambMoments { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<double>, TrustScalars, int> TrustNorms
    { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>,
        TrustScalars> TrustApply
    { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> GatherRows { get; }

    public Action<Index1D, ArrayView<float>, float> Fill { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ulong, long, uint, float> Dropout { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> BiasActivation { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> SeparateActivation { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> SeparateDerivative { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int,
        int> RowForward
    { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, OptimizerScalars, int, int, int, int, int, int> RowBackward
    { get; }

    /// <summary>These launchers, each counting its launches in <paramref name="counter"/>.</summary>
    public GpuKernels CountedBy(LaunchCounter counter) => new(this, counter);
}
