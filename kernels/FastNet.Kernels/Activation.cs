namespace FastNet.Kernels;

/// <summary>
/// Unit activations A = f(Z). Every derivative is expressed through the output A (σ' = a(1 − a), tanh' = 1 − a²,
/// ReLU' = [a &gt; 0], identity' = 1), so the forward pass stores only A and the backward pass never needs Z.
/// Softmax is not here: it exists only fused with cross-entropy (<see cref="LossKind.SoftmaxCrossEntropy"/>) on an
/// <see cref="Identity"/> output layer.
/// </summary>
public enum Activation
{
    /// <summary>f(z) = z.</summary>
    Identity,

    /// <summary>f(z) = 1 / (1 + e^(−z)).</summary>
    Sigmoid,

    /// <summary>f(z) = tanh z.</summary>
    Tanh,

    /// <summary>f(z) = max(0, z).</summary>
    Relu,
}
