using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Verification;

/// <summary>
/// One backend op at a time on host arrays: upload the operands, run, download the results. Slow on purpose (it
/// allocates per call), so that verification can hand every backend exactly the same inputs for every op.
/// </summary>
internal sealed class HostOps(IBackend backend)
{
    public IBackend Backend { get; } = backend;

    // A, and Z when the activation keeps it (null otherwise)
    public (float[] A, float[]? Z) DenseForward(float[] x, float[] w, float[]? b, int batch, int inputs, int outputs,
        Activation activation)
    {
        using FloatBuffer xb = Upload(x), wb = Upload(w), bb = Upload(b ?? []), a = Backend.Allocate(batch * outputs);
        using FloatBuffer z = Backend.Allocate(activation.NeedsPreActivation ? batch * outputs : 0);
        Backend.DenseForward(xb.All, wb.All, bb.All, batch, inputs, outputs, activation, a.All, z.All);
        return (Download(a), activation.NeedsPreActivation ? Download(z) : null);
    }

    public (float[] DZ, float[] DW, float[] DB, float[] DX) DenseBackward(float[] x, float[] w, float[] a, float[] dA,
        float[]? z, int batch, int inputs, int outputs, Activation activation, bool hasBias, bool needDX)
    {
        using FloatBuffer xb = Upload(x), wb = Upload(w), ab = Upload(a), delta = Upload(dA), zb = Upload(z ?? []);
        using FloatBuffer dW = Backend.Allocate(inputs * outputs), db = Backend.Allocate(hasBias ? outputs : 0);
        using FloatBuffer dX = Backend.Allocate(needDX ? batch * inputs : 0);
        Backend.DenseBackward(xb.All, wb.All, ab.All, batch, inputs, outputs, activation, delta.All, dW.All, db.All, dX.All,
            zb.All);
        return (Download(delta), Download(dW), Download(db), Download(dX));
    }

    public (float[] W, float[] B, float[] DX) DenseBackwardSgdStep(float[] x, float[] w, float[] b, float[] a,
        float[] dA, float[]? z, int inputs, int outputs, Activation activation, bool needDX, in OptimizerStep step)
    {
        using FloatBuffer xb = Upload(x), wb = Upload(w), bb = Upload(b), ab = Upload(a), delta = Upload(dA);
        using FloatBuffer zb = Upload(z ?? []);
        using FloatBuffer dW = Backend.Allocate(inputs * outputs), db = Backend.Allocate(b.Length);
        using FloatBuffer dX = Backend.Allocate(needDX ? inputs : 0);
        Backend.DenseBackwardSgdStep(xb.All, ab.All, 1, inputs, outputs, activation, delta.All, dX.All, step, wb.All,
            bb.All, dW.All, db.All, zb.All);
        return (Download(wb), Download(bb), Download(dX));
    }

    // a batch's pending SGD step of W, then the forward pass: the backend's fused op, or its composition of the two
    public float[][] SgdStepThenDenseForward(bool composed, float[] dW, in OptimizerStep step, float[] x, float[] w,
        float[]? b, int batch, int inputs, int outputs, Activation activation)
    {
        using FloatBuffer g = Upload(dW), xb = Upload(x), wb = Upload(w), bb = Upload(b ?? []);
        using FloatBuffer a = Backend.Allocate(batch * outputs);
        using FloatBuffer z = Backend.Allocate(activation.NeedsPreActivation ? batch * outputs : 0);
        if (composed)
        {
            ComposedOps.SgdStepThenDenseForward(Backend, g.All, step, xb.All, wb.All, bb.All, batch, inputs, outputs,
                activation, a.All, z.All);
        }
        else
        {
            Backend.SgdStepThenDenseForward(g.All, step, xb.All, wb.All, bb.All, batch, inputs, outputs, activation,
                a.All, z.All);
        }
        return [Download(wb), Download(a), activation.NeedsPreActivation ? Download(z) : []];
    }

    // one example's backward pass and SGD step of a first layer, then the next example's forward pass: fused, or
    // composed; a and z hold the earlier example's values on entry
    public float[][] DenseBackwardSgdStepThenForward(bool composed, float[] xPrevious, float[] dA, in OptimizerStep step,
        float[] x, float[] w, float[] b, float[] a, float[]? z, int inputs, int outputs, Activation activation)
    {
        using FloatBuffer xp = Upload(xPrevious), delta = Upload(dA), xb = Upload(x), wb = Upload(w), bb = Upload(b);
        using FloatBuffer ab = Upload(a), zb = Upload(z ?? []);
        using FloatBuffer dW = Backend.Allocate(inputs * outputs), db = Backend.Allocate(b.Length);
        if (composed)
        {
            ComposedOps.DenseBackwardSgdStepThenForward(Backend, xp.All, delta.All, step, dW.All, db.All, xb.All, wb.All,
                bb.All, inputs, outputs, activation, ab.All, zb.All);
        }
        else
        {
            Backend.DenseBackwardSgdStepThenForward(xp.All, delta.All, step, dW.All, db.All, xb.All, wb.All, bb.All,
                inputs, outputs, activation, ab.All, zb.All);
        }
        return [Download(wb), Download(bb), Download(ab), Download(zb)];
    }

    public float[] Dropout(float[] x, in DropoutMask mask)
    {
        using FloatBuffer xb = Upload(x), destination = Backend.Allocate(x.Length);
        Backend.Dropout(xb.All, mask, destination.All);
        return Download(destination);
    }

    public (float[] DOutput, float[] Metrics) Loss(float[] output, float[] targets, int batch, int outputs, LossKind loss)
    {
        using FloatBuffer o = Upload(output), t = Upload(targets), d = Backend.Allocate(batch * outputs), m = Backend.Allocate(2);
        Backend.Loss(o.All, t.All, batch, outputs, loss, d.All, m.All);
        return (Download(d), Download(m));
    }

    public (float[] Parameters, float[] State) OptimizerStep(float[] gradient, in OptimizerStep step, float[] parameters, float[] state)
    {
        using FloatBuffer g = Upload(gradient), p = Upload(parameters), s = Upload(state);
        Backend.OptimizerStep(g.All, step, p.All, s.All);
        return (Download(p), Download(s));
    }

    public (float[] Parameters, float[] State) LayerwiseStep(NetworkSpec spec, float[] gradient, in OptimizerStep step,
        float[] parameters, float[] state)
    {
        using FloatBuffer g = Upload(gradient), p = Upload(parameters), s = Upload(state);
        Training.LayerwiseStep.Apply(Backend, spec, parameters.Length, g.All, step, p.All, s.All);
        return (Download(p), Download(s));
    }

    private FloatBuffer Upload(float[] values)
    {
        FloatBuffer buffer = Backend.Allocate(values.Length);
        if (values.Length > 0)
        {
            Backend.Upload(values, buffer.All);
        }
        return buffer;
    }

    private float[] Download(FloatBuffer buffer)
    {
        float[] values = new float[buffer.Length];
        if (values.Length > 0)
        {
            Backend.Download(buffer.All, values);
        }
        return values;
    }
}
