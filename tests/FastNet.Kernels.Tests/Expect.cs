using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// Assertions under <see cref="Tolerance"/>, with the bounds <see cref="OpBounds"/> computes from the inputs and the
/// reference's outputs (the same bounds <c>fastnet verify</c> uses).
/// </summary>
public static class Expect
{
    /// <summary>Asserts equal bit patterns (so −0 ≠ +0 and NaNs must match), naming the first element that differs.</summary>
    public static void BitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} floats, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} bit for bit");
            }
        }
    }

    /// <summary>Every element within its bound in <paramref name="bounds"/>, naming the first that is not.</summary>
    public static void Within(string what, float[] candidate, float[] reference, ElementBounds bounds)
    {
        Assert.True(reference.Length == candidate.Length, $"{what}: {candidate.Length} floats, expected {reference.Length}");
        for (int i = 0; i < reference.Length; i++)
        {
            if (!bounds.Within(i, candidate[i], reference[i]))
            {
                Assert.Fail($"{what}[{i}]: candidate {candidate[i]:R}, reference {reference[i]:R}, "
                    + $"|diff| {Math.Abs((double)candidate[i] - reference[i]):E3} > bound {bounds.Bound(i):E3} "
                    + $"(K = {bounds.K}, S = {bounds.Sums[i]:E3})");
            }
        }
    }

    /// <summary>A = f(X·W + b) against the reference's (<see cref="OpBounds.DenseForward"/>).</summary>
    public static void Forward(float[] x, float[] w, float[]? b, int batch, int inputs, int outputs,
        Activation activation, float[] candidate, float[] reference) =>
        Within("A", candidate, reference, OpBounds.DenseForward(x, w, b, batch, inputs, outputs, activation, reference));

    /// <summary>dZ, dW, db and dX of a dense backward pass against the reference's
    /// (<see cref="OpBounds.DenseBackward"/>); db and dX are null where not computed.</summary>
    public static void Backward(Activation activation, float[] x, float[] w, float[] a, float[]? z, float[] deltaIn,
        int batch, int inputs, int outputs, (float[] Dz, float[] DW, float[]? Db, float[]? DX) candidate,
        (float[] Dz, float[] DW, float[]? Db, float[]? DX) reference) =>
        Backward(candidate, reference,
            OpBounds.DenseBackward(activation, x, w, a, z, deltaIn, reference.Dz, batch, inputs, outputs));

    /// <summary>Compares with bounds computed before.</summary>
    public static void Backward((float[] Dz, float[] DW, float[]? Db, float[]? DX) candidate,
        (float[] Dz, float[] DW, float[]? Db, float[]? DX) reference, BackwardBounds bounds)
    {
        Within("dZ", candidate.Dz, reference.Dz, bounds.DZ);
        Within("dW", candidate.DW, reference.DW, bounds.DW);
        if (reference.Db is not null)
        {
            Within("db", candidate.Db!, reference.Db, bounds.Db);
        }
        if (reference.DX is not null)
        {
            Within("dX", candidate.DX!, reference.DX, bounds.DX);
        }
    }

    /// <summary>dOutput (where computed) and the accumulated metrics: the loss sum within
    /// <see cref="OpBounds.Loss"/>, the count exactly.</summary>
    public static void Loss(LossKind loss, float[] output, float[] targets, int batch, int outputs,
        float[] metricsBefore, (float[]? DOutput, float[] Metrics) candidate, (float[]? DOutput, float[] Metrics) reference)
    {
        (ElementBounds dOutput, ElementBounds value) = OpBounds.Loss(loss, output, targets, reference.DOutput,
            metricsBefore[0], batch, outputs);
        if (reference.DOutput is not null)
        {
            Within("dOutput", candidate.DOutput!, reference.DOutput, dOutput);
        }
        Within("loss", [candidate.Metrics[0]], [reference.Metrics[0]], value);
        Assert.Equal(reference.Metrics[1], candidate.Metrics[1]);
    }

    /// <summary>Parameters and state after one optimizer step from the same host values
    /// (<see cref="OpBounds.OptimizerStep"/>).</summary>
    public static void Optimizer(in OptimizerStep step, float[] grad, float[] theta, float[] state,
        (float[] Theta, float[] State) candidate, (float[] Theta, float[] State) reference)
    {
        (ElementBounds parameters, ElementBounds stateBounds) = OpBounds.OptimizerStep(step, grad, theta, state,
            reference.Theta, reference.State);
        Within("parameters", candidate.Theta, reference.Theta, parameters);
        Within("state", candidate.State, reference.State, stateBounds);
    }
}
