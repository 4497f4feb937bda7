using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ForwardKernel = System.Action<ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>,
    ILGPU.ArrayView<float>, int, int, int, int>;
using ForwardLauncher = System.Action<ILGPU.KernelConfig, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>,
    ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, int, int, int, int>;
using ProductKernel = System.Action<ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>, int, int,
    int>;
using ProductLauncher = System.Action<ILGPU.KernelConfig, ILGPU.ArrayView<float>, ILGPU.ArrayView<float>,
    ILGPU.ArrayView<float>, int, int, int>;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// The three products of one GEMM tiling, each compiled and loaded on its first launch: a device whose GEMMs go
/// through cuBLAS, or that only trains per example, never compiles them, and the forward is compiled only for the
/// activations that are used.
/// </summary>
internal sealed class GemmKernelSet
{
    private readonly Lazy<ForwardLauncher>[] _forward;

    public GemmKernelSet(Accelerator accelerator, ForwardKernel forward, ProductKernel weightGradient,
        ProductKernel inputGradient, Func<int, int, KernelConfig> config, KernelSpecialization bounds)
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

    // The same launchers, counted: each loads (once, in the set it counts) when first launched through this copy.
    private GemmKernelSet(GemmKernelSet loaded, LaunchCounter counter)
    {
        _forward = [.. loaded._forward.Select(forward => new Lazy<ForwardLauncher>(() =>
            counter.Counting(forward.Value)))];
        WeightGradient = new(() => counter.Counting(loaded.WeightGradient.Value));
        InputGradient = new(() => counter.Counting(loaded.InputGradient.Value));
        Config = loaded.Config;
    }

    /// <summary>C = f(X·W + b): X [m, k], W [k, n], b [n] or absent (flag 0).</summary>
    public ForwardLauncher Forward(Activation activation) => _forward[(int)activation.Kind].Value; // Fused is in kind order

    /// <summary>dW = Xᵀ·dZ.</summary>
    public Lazy<ProductLauncher> WeightGradient { get; }

    /// <summary>dX = dZ·Wᵀ.</summary>
    public Lazy<ProductLauncher> InputGradient { get; }

    /// <summary>The launch configuration of an [m, n] output.</summary>
    public Func<int, int, KernelConfig> Config { get; }

    /// <summary>These launchers, each counting its launches in <paramref name="counter"/>.</summary>
    public GemmKernelSet CountedBy(LaunchCounter counter) => new(this, counter);
}
