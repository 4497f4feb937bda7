namespace FastNet.Kernels.Tests;

/// <summary>
/// A backend the shared suites run on, as one test project binds it (<c>BackendsUnderTest</c>: the CPU backends here,
/// the GPU backend in FastNet.Kernels.Gpu.Tests). <see cref="Backend"/> is made once per process and shared by every
/// test of the run, which therefore never disposes it; the suites that use it share one test collection, so it is
/// never used by two tests at once.
/// </summary>
/// <param name="Name">The name test listings show.</param>
/// <param name="Backend">The shared instance.</param>
/// <param name="Sizes">The cases' sizes: what this backend's code paths need to be proved (vector tails and cache
/// blocks on the CPU, tile edges on the GPU), no larger.</param>
/// <param name="CreateAnother">Builds a second, independent instance, or null where that costs a kernel compilation.</param>
public sealed record BackendUnderTest(string Name, IBackend Backend, CaseSizes Sizes, Func<IBackend>? CreateAnother)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The sizes of the shared suites' cases for one backend.</summary>
/// <param name="Layers">(batch, inputs, outputs) of the dense forward and backward passes.</param>
/// <param name="Losses">(batch, outputs) of the losses.</param>
/// <param name="OptimizerLengths">Lengths of the flat optimizer steps.</param>
/// <param name="Gathers">(source rows, row length, rows gathered).</param>
/// <param name="FusedSteps">(batch, inputs, outputs) of the fused per-example SGD step.</param>
/// <param name="TrustRatioLengths">Segment lengths of the LARS and LAMB steps.</param>
/// <param name="Determinism">(batch, inputs, outputs) of the run repeated bit for bit.</param>
/// <param name="BackwardOncePerLayerShape">Check the dense backward pass on one case of each layer shape (one with
/// dX) rather than with every activation: for a backend bound a second time only to force other products, whose
/// backward products do not depend on the activation.</param>
public sealed record CaseSizes(
    (int Batch, int Inputs, int Outputs)[] Layers,
    (int Batch, int Outputs)[] Losses,
    int[] OptimizerLengths,
    (int SourceRows, int RowLength, int Rows)[] Gathers,
    (int Batch, int Inputs, int Outputs)[] FusedSteps,
    int[] TrustRatioLengths,
    (int Batch, int Inputs, int Outputs) Determinism,
    bool BackwardOncePerLayerShape = false);
