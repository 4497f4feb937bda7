namespace FastNet.Kernels;

/// <summary>
/// The seam between the engine and the hardware: whole-layer operations on backend-resident float32 buffers.
/// <para>
/// Layout: matrices are row-major. Activations are <c>[batch, features]</c>; a dense layer's weights W are
/// <c>[inputs, outputs]</c> (W[i·outputs + j] is the weight from input i to unit j, the seeds' w_ji), its bias b is
/// <c>[outputs]</c>. So Z = X·W + b, dW = Xᵀ·dZ, dX = dZ·Wᵀ.
/// </para>
/// <para>
/// Parameter order is sources, sizes, destinations. Each op says whether it overwrites or accumulates its
/// destinations. Ops may run asynchronously: results are visible to <see cref="Download"/> (which waits) and to later
/// ops, in submission order. Nothing here allocates per call once the buffers exist; views of one buffer must not
/// overlap unless an op says so.
/// </para>
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>The name users pass to <c>--backend</c>.</summary>
    string Name { get; }

    /// <summary>A new buffer of <paramref name="length"/> floats, filled with zeros.</summary>
    FloatBuffer Allocate(int length);

    /// <summary>A new buffer of <paramref name="length"/> ints, filled with zeros.</summary>
    IndexBuffer AllocateIndices(int length);

    /// <summary>Copies host floats into <paramref name="destination"/> (same length). Overwrites.</summary>
    void Upload(ReadOnlySpan<float> source, BufferView destination);

    /// <summary>Copies host ints into the first <c>source.Length</c> entries of <paramref name="destination"/>.</summary>
    void UploadIndices(ReadOnlySpan<int> source, IndexBuffer destination);

    /// <summary>Waits for pending work, then copies <paramref name="source"/> to the host (same length).</summary>
    void Download(BufferView source, Span<float> destination);

    /// <summary>Sets every float of <paramref name="destination"/> to <paramref name="value"/>. Overwrites.</summary>
    void Fill(float value, BufferView destination);

    /// <summary>Waits until all submitted work is done.</summary>
    void Synchronize();

    /// <summary>
    /// Gathers rows: destination[r, :] = source[indices[first + r], :] for r &lt; <paramref name="rows"/>.
    /// source: [N, rowLength]; destination: [rows, rowLength]. Overwrites.
    /// </summary>
    void GatherRows(BufferView source, int rowLength, IndexBuffer indices, int first, int rows, BufferView destination);

    /// <summary>
    /// Dense forward pass: A = f(X·W + b).
    /// x: [batch, inputs]; w: [inputs, outputs]; b: [outputs], or empty for a layer without biases;
    /// a: [batch, outputs], overwritten;
    /// z: [batch, outputs], overwritten with Z = X·W + b when <see cref="Activation.NeedsPreActivation"/> (its
    /// derivative needs Z, see <see cref="Activation"/>), else empty.
    /// </summary>
    void DenseForward(BufferView x, BufferView w, BufferView b, int batch, int inputs, int outputs,
        Activation activation, BufferView a, BufferView z = default);

    /// <summary>
    /// Dense backward pass, given the layer's input X, weights W, output A and ∂L/∂A:
    /// dZ = ∂L/∂A ⊙ f'(Z), with f' written through A or, when <see cref="Activation.NeedsPreActivation"/>, taken at Z;
    /// dW = Xᵀ·dZ; db = Σ_rows dZ; dX = dZ·Wᵀ.
    /// x: [batch, inputs]; w: [inputs, outputs]; a: [batch, outputs];
    /// delta: [batch, outputs], holds ∂L/∂A on entry and is overwritten with dZ;
    /// dW: [inputs, outputs], overwritten; db: [outputs], overwritten, or empty for a layer without biases;
    /// dX: [batch, inputs], overwritten, or empty when the gradient below is not needed (the first layer);
    /// z: [batch, outputs], the Z that <see cref="DenseForward"/> stored when <see cref="Activation.NeedsPreActivation"/>,
    /// else empty; read only.
    /// </summary>
    void DenseBackward(BufferView x, BufferView w, BufferView a, int batch, int inputs, int outputs,
        Activation activation, BufferView delta, BufferView dW, BufferView db, BufferView dX, BufferView z = default);

    /// <summary>
    /// Dense backward pass fused with a plain-SGD step of the layer's own parameters, for when nothing needs the
    /// gradient itself afterwards. Defined as <see cref="DenseBackward"/>(x, w, a, batch, inputs, outputs, activation,
    /// delta, dW, db, dX) followed by <see cref="OptimizerStep"/>(dW, step, w, empty) and, when <paramref name="b"/> is
    /// not empty, <see cref="OptimizerStep"/>(db, step, b, empty); a backend that fuses it gives bit for bit the results
    /// of that composition on itself. step.Kind must be <see cref="OptimizerKind.Sgd"/>.
    /// w: [inputs, outputs], updated (dX is computed with the weights from before the update);
    /// b: [outputs], updated, or empty for a layer whose biases are absent or fixed (then db is empty too);
    /// delta: ∂L/∂A on entry; afterwards it holds dZ or is left as it was (a fused pass that never stores dZ need
    /// not make every reader of ∂L/∂A wait for a writer);
    /// dW, db: scratch for the gradient; afterwards they hold it or are left untouched. So read none of the three.
    /// The other operands (z included) are as in <see cref="DenseBackward"/>; "bit for bit" is about w, b and dX.
    /// <para>
    /// Why: at batch 1, dW = xᵀ·dZ is an outer product that costs less to recompute inside the update than to write
    /// out and read back, and the separate optimizer pass over every parameter disappears. At a small batch through a
    /// large layer, dX, dW and the update can share one sweep over W instead of three passes.
    /// </para>
    /// </summary>
    void DenseBackwardSgdStep(BufferView x, BufferView a, int batch, int inputs, int outputs, Activation activation,
        BufferView delta, BufferView dX, in OptimizerStep step, BufferView w, BufferView b, BufferView dW,
        BufferView db, BufferView z = default) =>
        ComposedOps.DenseBackwardSgdStep(this, x, a, batch, inputs, outputs, activation, delta, dX, step, w, b, dW, db,
            z);

    /// <summary>
    /// Whether this backend's <see cref="DenseBackwardSgdStep"/> of a layer of this shape updates W without writing dW
    /// (fused rather than the composition). A batch's first-layer step is then best taken there, not left to the next
    /// forward pass (<see cref="SgdStepThenDenseForward"/>), which reads dW back. The default, false, is always safe
    /// (the network then defers the step as before); the SIMD backend answers for its batch-1 path and its sweep.
    /// </summary>
    bool FusesBackwardSgdStep(int batch, int inputs, int outputs) => false;

    /// <summary>
    /// The <see cref="DenseBackwardSgdStep"/> of one example's layer, left until the next example's forward pass through
    /// the same layer, then that pass: defined as <see cref="DenseBackwardSgdStep"/>(xPrevious, a, 1, inputs, outputs,
    /// activation, delta, empty, step, w, b′, dW, db, z), where b′ is b, or empty when db is (biases absent or fixed),
    /// followed by <see cref="DenseForward"/>(x, w, b, 1, inputs, outputs, activation, a, z); a backend that fuses it
    /// gives bit for bit the results of that composition on itself. a and z hold the earlier example's A and Z on
    /// entry and this example's on return; delta, dW and db are as in <see cref="DenseBackwardSgdStep"/>. The layer
    /// computes no dX: it is the first.
    /// <para>
    /// Why: at batch 1 the update and the next forward pass each stream all of W; fused, W is read and written once.
    /// </para>
    /// </summary>
    void DenseBackwardSgdStepThenForward(BufferView xPrevious, BufferView delta, in OptimizerStep step, BufferView dW,
        BufferView db, BufferView x, BufferView w, BufferView b, int inputs, int outputs, Activation activation,
        BufferView a, BufferView z = default) =>
        ComposedOps.DenseBackwardSgdStepThenForward(this, xPrevious, delta, step, dW, db, x, w, b, inputs, outputs,
            activation, a, z);

    /// <summary>
    /// A batch's plain-SGD step of a layer's weights, left until the next forward pass through the layer, then that
    /// pass: defined as <see cref="OptimizerStep"/>(dW, step, w, empty) followed by <see cref="DenseForward"/>(x, w, b,
    /// batch, inputs, outputs, activation, a, z); a backend that fuses it gives bit for bit the results of that
    /// composition on itself. step.Kind must be <see cref="OptimizerKind.Sgd"/>; dW: [inputs, outputs], read only; the
    /// other operands are as in <see cref="DenseForward"/>, w updated.
    /// <para>
    /// Why: the update and the forward pass each stream all of W; fused, each block of W is updated just before the
    /// forward pass's GEMM first reads it, so W comes from memory once.
    /// </para>
    /// </summary>
    void SgdStepThenDenseForward(BufferView dW, in OptimizerStep step, BufferView x, BufferView w, BufferView b,
        int batch, int inputs, int outputs, Activation activation, BufferView a, BufferView z = default) =>
        ComposedOps.SgdStepThenDenseForward(this, dW, step, x, w, b, batch, inputs, outputs, activation, a, z);

    /// <summary>
    /// Loss of a batch and its gradient. output: [batch, outputs] (logits for
    /// <see cref="LossKind.SoftmaxCrossEntropy"/>); targets: [batch, outputs].
    /// dOutput: [batch, outputs], overwritten with ∂L/∂output where L is the mean over the batch of the per-example
    /// loss ℓ, or empty to evaluate only. metrics: 2 floats, accumulated (+=): metrics[0] += Σ_rows ℓ,
    /// metrics[1] += the number of rows whose largest output is at the index of their largest target (first maximum
    /// wins). Each is summed in float64 (the count as an integer) and rounded to float once, when added. The sums stay
    /// on the backend so training need not read them back every step.
    /// meanOver: the rows the mean of L is taken over, when these rows are one part of a larger batch of meanOver
    /// rows (L = Σ_rows ℓ / meanOver, so dOutput is this part's share of that batch's gradient); 0 means batch.
    /// </summary>
    void Loss(BufferView output, BufferView targets, int batch, int outputs, LossKind loss,
        BufferView dOutput, BufferView metrics, int meanOver = 0);

    /// <summary>
    /// One optimizer step over a flat parameter buffer, in place. dParameters: [P], the gradient ∇ (of the batch
    /// mean loss); parameters: [P], updated; state: [<see cref="OptimizerStep.StateSlots"/>·P], slot s of parameter i
    /// at s·P + i, updated (zeros before the first step). The rules are written on <see cref="OptimizerKind"/>.
    /// </summary>
    void OptimizerStep(BufferView dParameters, in OptimizerStep step, BufferView parameters, BufferView state);

    /// <summary>
    /// One <see cref="OptimizerKind.Lars"/> or <see cref="OptimizerKind.Lamb"/> step over one segment (one layer's
    /// weights, or its biases), in place; the rules are written on <see cref="OptimizerKind"/>. dParameters: [n], the
    /// gradient ∇; parameters: [n], updated; moment: [n], LARS's b or LAMB's m, updated; secondMoment: [n], LAMB's v,
    /// updated, or empty for LARS (all zeros before the first step). adapt: true for a weight matrix (trust ratio and
    /// weight decay), false for biases (ratio 1, no decay). The norms are reductions in a fixed order chosen by the
    /// backend, so a backend repeats its own results bit for bit.
    /// </summary>
    void TrustRatioStep(BufferView dParameters, in OptimizerStep step, BufferView parameters, BufferView moment,
        BufferView secondMoment, bool adapt);

    /// <summary>
    /// Inverted dropout: destination[i] = source[i]·mask.Scale where <paramref name="mask"/> keeps value i (element
    /// mask.FirstElement + i, see <see cref="DropoutMask"/>), else 0. source, destination: [n]; overwritten, and
    /// destination may be source itself (in place). Applied to a layer's activations A in the forward pass and, with
    /// the same mask, to ∂L/∂(dropped A) in the backward pass, since the op is linear with that diagonal Jacobian.
    /// Every backend keeps the same elements bit for bit.
    /// </summary>
    void Dropout(BufferView source, in DropoutMask mask, BufferView destination);

    /// <summary>
    /// destination ← destination + scale·source, elementwise; accumulates. source, destination: [n]. Used to sum
    /// weighted gradients (gradient accumulation). Defined as the plain-SGD step θ ← θ − η·g with g = source,
    /// θ = destination, η = −scale and no weight decay (<see cref="ComposedOps.AccumulateScaled"/>), which every backend
    /// already implements; a backend that overrides it gives bit for bit the results of that step on itself.
    /// </summary>
    void AccumulateScaled(BufferView source, double scale, BufferView destination) =>
        ComposedOps.AccumulateScaled(this, source, scale, destination);
}
