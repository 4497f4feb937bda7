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
/// <param name="FusedSteps">(batch, inputs, outputs) of the fused SGD step: one example, and batches a backend may
/// fuse too.</param>
/// <param name="TrustRatioLengths">Segment lengths of the LARS and LAMB steps.</param>
/// <param name="Determinism">(batch, inputs, outputs) of the run repeated bit for bit.</param>
/// <param name="BackwardWithEveryActivation">The layer shapes whose dense backward pass is checked with every
/// activation; the others check it on one case (with bias and dX). Null: every shape. Where the activation's
/// derivative is one elementwise step before products that do not depend on it, a few small shapes prove it.</param>
/// <param name="LossShares">(batch, outputs) of the loss computed as part of a larger batch; null: those of
/// <paramref name="Losses"/>.</param>
/// <param name="FusedStepOptionsPairwise">The fused SGD step meets each activation with each weight decay and with
/// and without bias in two cases (every pair of options met once) rather than in four (every combination).</param>
/// <param name="FusedActivationsOnly">Skip the activations computed in a pass of their own after an identity product:
/// for a backend bound a second time only to force other products, where that pass is the same kernel.</param>
public sealed record CaseSizes(
    (int Batch, int Inputs, int Outputs)[] Layers,
    (int Batch, int Outputs)[] Losses,
    int[] OptimizerLengths,
    (int SourceRows, int RowLength, int Rows)[] Gathers,
    (int Batch, int Inputs, int Outputs)[] FusedSteps,
    int[] TrustRatioLengths,
    (int Batch, int Inputs, int Outputs) Determinism,
    (int Batch, int Inputs, int Outputs)[]? BackwardWithEveryActivation = null,
    bool FusedActivationsOnly = false,
    (int Batch, int Outputs)[]? LossShares = null,
    bool FusedStepOptionsPairwise = false);
