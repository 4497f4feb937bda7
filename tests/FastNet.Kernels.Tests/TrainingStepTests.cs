using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// A few training steps of a two-layer network, as the trainer runs them (one flat parameter buffer and one flat
/// gradient buffer with every layer's weights and biases as views, metrics accumulating across steps), on each backend
/// and the reference in lockstep: after each op its outputs are compared under <see cref="Tolerance"/> and then the
/// reference's values are copied into the candidate, so every op is judged on the same inputs and errors never compound.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class TrainingStepTests
{
    private const int Batch = 9, Inputs = 13, Hidden = 33, Outputs = 7, Steps = 3;

    public static TheoryData<string, OptimizerKind, LossKind> Cases
    {
        get
        {
            var data = new TheoryData<string, OptimizerKind, LossKind>();
            LossKind[] losses = Enum.GetValues<LossKind>();
            foreach (string name in BackendsUnderTest.Names)
            {
                // LARS and LAMB step per layer (TrustRatioStepTests; whole networks in FastNet.Tests)
                OptimizerKind[] kinds = [.. Enum.GetValues<OptimizerKind>().Where(k => !OptimizerStep.IsLayerwise(k))];
                for (int i = 0; i < kinds.Length; i++)
                {
                    // no kernel reads both the loss and the optimizer: where launches are dear, each optimizer meets
                    // one loss, every loss meeting more than one optimizer
                    foreach (LossKind loss in BackendsUnderTest.EveryOptimizerWithEveryLoss ? losses
                        : [losses[i % losses.Length]])
                    {
                        data.Add(name, kinds[i], loss);
                    }
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StepsMatchTheReference(string name, OptimizerKind kind, LossKind loss)
    {
        IBackend candidate = BackendsUnderTest.Get(name).Backend;
        using IBackend reference = BackendsUnderTest.Reference();
        var random = new Random(5);
        var c = new Net(candidate, kind);
        var r = new Net(reference, kind);
        Activation hidden = loss switch
        {
            LossKind.HalfSquaredError => Activation.Sigmoid,
            LossKind.MeanSquaredError => Activation.Tanh,
            _ => Activation.Relu,
        };
        Activation output = loss == LossKind.SoftmaxCrossEntropy ? Activation.Identity : Activation.Sigmoid;

        float[] parameters = Host.Random(random, Net.ParameterCount, 0.5);
        r.Set(r.Parameters.All, parameters);
        c.Set(c.Parameters.All, parameters);
        double product = 1;
        for (int t = 1; t <= Steps; t++)
        {
            float[] x = Host.Random(random, Batch * Inputs);
            float[] targets = new float[Batch * Outputs];
            for (int row = 0; row < Batch; row++)
            {
                targets[row * Outputs + random.Next(Outputs)] = 1;
            }
            r.Set(r.X.All, x);
            c.Set(c.X.All, x);
            r.Set(r.T.All, targets);
            c.Set(c.T.All, targets);

            // forward
            float[] w1 = r.Get(r.W1), b1 = r.Get(r.B1), w2 = r.Get(r.W2), b2 = r.Get(r.B2);
            Each(n => n.Backend.DenseForward(n.X.All, n.W1, n.B1, Batch, Inputs, Hidden, hidden, n.A1.All));
            float[] a1 = r.Get(r.A1.All);
            Expect.Forward(x, w1, b1, Batch, Inputs, Hidden, hidden, c.Get(c.A1.All), a1);
            c.Set(c.A1.All, a1);
            Each(n => n.Backend.DenseForward(n.A1.All, n.W2, n.B2, Batch, Hidden, Outputs, output, n.A2.All));
            float[] a2 = r.Get(r.A2.All);
            Expect.Forward(a1, w2, b2, Batch, Hidden, Outputs, output, c.Get(c.A2.All), a2);
            c.Set(c.A2.All, a2);

            // loss, accumulating metrics over the steps
            float[] metrics = r.Get(r.Metrics.All);
            Each(n => n.Backend.Loss(n.A2.All, n.T.All, Batch, Outputs, loss, n.D2.All, n.Metrics.All));
            float[] d2 = r.Get(r.D2.All);
            Expect.Loss(loss, a2, targets, Batch, Outputs, metrics, (c.Get(c.D2.All), c.Get(c.Metrics.All)),
                (d2, r.Get(r.Metrics.All)));
            c.Set(c.D2.All, d2);
            c.Set(c.Metrics.All, r.Get(r.Metrics.All));

            // backward: the output layer also produces the hidden layer's ∂L/∂A
            Each(n => n.Backend.DenseBackward(n.A1.All, n.W2, n.A2.All, Batch, Hidden, Outputs, output, n.D2.All,
                n.DW2, n.DB2, n.D1.All));
            Expect.Backward(output, a1, w2, a2, null, d2, Batch, Hidden, Outputs,
                (c.Get(c.D2.All), c.Get(c.DW2), c.Get(c.DB2), c.Get(c.D1.All)),
                (r.Get(r.D2.All), r.Get(r.DW2), r.Get(r.DB2), r.Get(r.D1.All)));
            float[] d1 = r.Get(r.D1.All);
            c.Set(c.D1.All, d1);
            Each(n => n.Backend.DenseBackward(n.X.All, n.W1, n.A1.All, Batch, Inputs, Hidden, hidden, n.D1.All,
                n.DW1, n.DB1, BufferView.Empty));
            Expect.Backward(hidden, x, w1, a1, null, d1, Batch, Inputs, Hidden,
                (c.Get(c.D1.All), c.Get(c.DW1), c.Get(c.DB1), null), (r.Get(r.D1.All), r.Get(r.DW1), r.Get(r.DB1), null));
            c.Set(c.Gradients.All, r.Get(r.Gradients.All));

            // one optimizer pass over the flat buffer
            OptimizerStep step = OptimizerStep.Create(kind, 0.05, 0.9, 0.9, 0.999, 1e-8, 1e-3, t, ref product);
            float[] theta = r.Get(r.Parameters.All), grad = r.Get(r.Gradients.All), state = r.GetState();
            Each(n => n.Backend.OptimizerStep(n.Gradients.All, step, n.Parameters.All, n.StateView));
            Expect.Optimizer(step, grad, theta, state, (c.Get(c.Parameters.All), c.GetState()),
                (r.Get(r.Parameters.All), r.GetState()));
            c.Set(c.Parameters.All, r.Get(r.Parameters.All));
            if (state.Length > 0)
            {
                c.Set(c.StateView, r.GetState());
            }
        }

        void Each(Action<Net> op)
        {
            op(r);
            op(c);
        }
    }

    private sealed class Net
    {
        public const int ParameterCount = Inputs * Hidden + Hidden + Hidden * Outputs + Outputs;

        public Net(IBackend backend, OptimizerKind kind)
        {
            Backend = backend;
            Parameters = backend.Allocate(ParameterCount);
            Gradients = backend.Allocate(ParameterCount);
            State = backend.Allocate(Math.Max(1, OptimizerStep.StateSlots(kind) * ParameterCount));
            StateView = OptimizerStep.StateSlots(kind) == 0 ? BufferView.Empty
                : State.Slice(0, OptimizerStep.StateSlots(kind) * ParameterCount);
            int o = 0;
            (W1, DW1) = (Parameters.Slice(o, Inputs * Hidden), Gradients.Slice(o, Inputs * Hidden));
            o += Inputs * Hidden;
            (B1, DB1) = (Parameters.Slice(o, Hidden), Gradients.Slice(o, Hidden));
            o += Hidden;
            (W2, DW2) = (Parameters.Slice(o, Hidden * Outputs), Gradients.Slice(o, Hidden * Outputs));
            o += Hidden * Outputs;
            (B2, DB2) = (Parameters.Slice(o, Outputs), Gradients.Slice(o, Outputs));
            X = backend.Allocate(Batch * Inputs);
            T = backend.Allocate(Batch * Outputs);
            A1 = backend.Allocate(Batch * Hidden);
            D1 = backend.Allocate(Batch * Hidden);
            A2 = backend.Allocate(Batch * Outputs);
            D2 = backend.Allocate(Batch * Outputs);
            Metrics = backend.Allocate(2);
        }

        public IBackend Backend { get; }
        public FloatBuffer Parameters { get; }
        public FloatBuffer Gradients { get; }
        public FloatBuffer State { get; }
        public BufferView StateView { get; }
        public BufferView W1 { get; }
        public BufferView B1 { get; }
        public BufferView W2 { get; }
        public BufferView B2 { get; }
        public BufferView DW1 { get; }
        public BufferView DB1 { get; }
        public BufferView DW2 { get; }
        public BufferView DB2 { get; }
        public FloatBuffer X { get; }
        public FloatBuffer T { get; }
        public FloatBuffer A1 { get; }
        public FloatBuffer D1 { get; }
        public FloatBuffer A2 { get; }
        public FloatBuffer D2 { get; }
        public FloatBuffer Metrics { get; }

        public float[] Get(BufferView view) => Host.Download(Backend, view);

        public float[] GetState() => StateView.IsEmpty ? [] : Get(StateView);

        public void Set(BufferView view, float[] values) => Backend.Upload(values, view);
    }
}
