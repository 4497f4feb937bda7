using System.Diagnostics;
using FastNet.Kernels.Cpu;

namespace FastNet.Kernels.Simd;

/// <summary>
/// <see cref="SimdBackend"/> computing with the vector type <typeparamref name="TV"/>: every kernel and job is
/// instantiated for that one width, so the JIT specializes and inlines the hot loops and no op chooses a width again.
/// </summary>
internal sealed unsafe class SimdBackend<TV> : SimdBackend where TV : unmanaged, IVec<TV>
{
    // below this many floats an elementwise pass stays on the calling thread
    private const int ParallelElements = 1 << 16;

    // a batch's gather is split from this many floats: its source rows come from outside the caches, so each float
    // costs more than an elementwise pass's, and a batch of 64 MNIST rows (50,176 floats) on one thread left the
    // other idle for 6% of a tanh-64 step
    private const int ParallelGatherElements = 1 << 14;

    private readonly WorkerPool _pool;
    private readonly Gemm<TV> _gemm;
    private readonly BackwardSgdSweep<TV> _backwardSgd;
    private readonly DeltaJob _deltaJob = new();
    private readonly OptimizerJob _optimizerJob = new();
    private readonly TrustRatioJob _trustRatioJob = new();
    private readonly GatherJob _gatherJob = new();
    private readonly GemvJob _gemvJob = new();
    private readonly NativeArray _partials = new();
    private readonly SweptWeights _swept = new();
    private readonly Dictionary<(GemvKind Kind, int Inputs, int Outputs), MeasuredTaskCount> _taskCounts = [];

    /// <summary><paramref name="threads"/> threads: the caller and threads − 1 persistent workers.</summary>
    public SimdBackend(int threads)
    {
        _pool = new WorkerPool(threads);
        _gemm = new Gemm<TV>(_pool);
        _backwardSgd = new BackwardSgdSweep<TV>(_pool);
    }

    /// <inheritdoc />
    public override VectorWidth Width => TV.Width;

    /// <inheritdoc />
    public override int Threads => _pool.Threads;

    /// <inheritdoc />
    public override long WorkerThreadsAllocatedBytes => _pool.WorkersAllocatedBytes;

    /// <inheritdoc />
    public override long ScratchBytes => _gemm.ScratchBytes + _backwardSgd.ScratchBytes + _partials.Bytes;

    /// <inheritdoc />
    public override long GemmThreadScratchBytes => Gemm<TV>.ThreadScratchBytes;

    /// <inheritdoc />
    public override long ThreadScratchBytes => Gemm<TV>.ThreadScratchBytes + BackwardSgdSweep<TV>.ThreadScratchBytes;

    /// <inheritdoc />
    public override void GatherRows(BufferView source, int rowLength, IndexBuffer indices, int first, int rows,
        BufferView destination)
    {
        OpChecks.GatherRows(source, rowLength, indices, first, rows, destination);
        int[] index = indices.AsArray();
        OpChecks.RowIndices(index.AsSpan(first, rows), source.Length / rowLength);
        _gatherJob.Set(source.Pointer(), rowLength, index, first, rows, destination.Pointer());
        _pool.Run(_gatherJob, (long)rows * rowLength >= ParallelGatherElements ? _pool.Threads : 1);
    }

    /// <inheritdoc />
    public override void DenseForward(BufferView x, BufferView w, BufferView b, int batch, int inputs, int outputs,
        Activation activation, BufferView a, BufferView z = default)
    {
        OpChecks.DenseForward(x, w, b, batch, inputs, outputs, a);
        OpChecks.PreActivation(activation, z, batch, outputs, nameof(DenseForward));
        if (activation.IsSeparatePass)
        {
            // Z = X·W + b by the identity path (into z when it is kept), then A = f(Z) in a pass of its own
            BufferView target = activation.NeedsPreActivation ? z : a;
            DenseForward(x, w, b, batch, inputs, outputs, Activation.Identity, target);
            Elementwise.ActivateSeparately<TV>(target.Pointer(), a.Pointer(), a.Length, activation);
            return;
        }
        float* X = x.Pointer(), W = w.Pointer(), A = a.Pointer();
        float* B = b.IsEmpty ? null : b.Pointer();
        if (batch == 1)
        {
            // threads split the rows of W by chunks (so each thread streams its own share of W, and later of dW, the
            // same rows in both passes); the chunks' partial sums are added in chunk order, so the bits depend on the
            // layer's shape, not on the thread count
            int chunks = PerExampleRowChunks(inputs, outputs);
            float* partials = chunks == 1 ? A : _partials.Get((nint)chunks * outputs);
            _gemvJob.Set(GemvKind.Forward, X, W, null, inputs, outputs, chunks, partials, null);
            RunGemv(GemvKind.Forward, inputs, outputs, chunks);
            FinishOne(partials, chunks, B, outputs, activation, A);
            return;
        }
        // A[batch, outputs] = f(X[batch, inputs]·W[inputs, outputs] + b); a W that the sweep wrote last is read by
        // halves of its rows where it can be (SweptWeights)
        bool epilogue = B != null || activation != Activation.Identity;
        _gemm.Multiply(batch, outputs, inputs, new Operand(X, inputs, 1), new Operand(W, outputs, 1), A, outputs,
            new Epilogue(B, activation, epilogue), byDepthHalves: _swept.Contains(W));
    }

    // a batch-1 layer's job: one task per thread, each an even share of the chunks (the bits depend on the chunks
    // alone), or the calling thread alone, whichever measured faster for this kind of job and shape
    // (MeasuredTaskCount). Four tasks per thread, claimed as the threads came free, gained ×1.00–1.04 while the sweep
    // was slower; with its sums in registers, one per thread was faster in 12 of 12 processes, per example ×1.044 on
    // an AVX-512 Zen 5
    private void RunGemv(GemvKind kind, int inputs, int outputs, int chunks)
    {
        int parallel = Math.Min(_pool.Threads, chunks);
        if (parallel == 1)
        {
            _pool.Run(_gemvJob, 1);
            return;
        }
        if (!_taskCounts.TryGetValue((kind, inputs, outputs), out MeasuredTaskCount? count))
        {
            count = new MeasuredTaskCount(); // once per kind and shape
            _taskCounts.Add((kind, inputs, outputs), count);
        }
        _pool.Run(_gemvJob, count.Start(parallel, count.WantsTime ? Stopwatch.GetTimestamp() : 0));
    }

    // the delta pass's tasks: column ranges on every thread when it is large enough to pay for waking them
    private int DeltaTasks(int batch, int outputs) =>
        (long)batch * outputs >= ParallelElements ? _deltaJob.Tasks(_pool.Threads) : 1;

    private static void FinishOne(float* partials, int chunks, float* b, int outputs, Activation activation,
        float* a)
    {
        if (chunks > 1)
        {
            new Span<float>(partials, outputs).CopyTo(new Span<float>(a, outputs));
            for (int c = 1; c < chunks; c++)
            {
                Elementwise.Add<TV>(partials + ((nint)c * outputs), a, outputs);
            }
        }
        if (b != null || activation != Activation.Identity)
        {
            Elementwise.BiasActivate<TV>(a, b, outputs, activation);
        }
    }

    /// <inheritdoc />
    public override void DenseBackward(BufferView x, BufferView w, BufferView a, int batch, int inputs, int outputs,
        Activation activation, BufferView delta, BufferView dW, BufferView db, BufferView dX, BufferView z = default)
    {
        OpChecks.DenseBackward(x, w, a, batch, inputs, outputs, delta, dW, db, dX);
        OpChecks.PreActivation(activation, z, batch, outputs, nameof(DenseBackward));
        activation = ScaleBySeparateDerivative(activation, a, z, delta);
        float* X = x.Pointer(), W = w.Pointer(), A = a.Pointer(), D = delta.Pointer(), DW = dW.Pointer();
        float* DB = db.IsEmpty ? null : db.Pointer(), DX = dX.IsEmpty ? null : dX.Pointer();

        // dZ = ∂L/∂A ⊙ f'(A) and db = Σ_rows dZ in one sweep, threads over column ranges
        _deltaJob.Set(D, A, DB, batch, outputs, activation);
        _pool.Run(_deltaJob, DeltaTasks(batch, outputs));

        if (batch == 1)
        {
            // rows of W and dW split as in the forward pass; every output element belongs to one thread
            int chunks = PerExampleRowChunks(inputs, outputs);
            _gemvJob.Set(GemvKind.Backward, X, W, D, inputs, outputs, chunks, DW, DX);
            RunGemv(GemvKind.Backward, inputs, outputs, chunks);
            return;
        }
        // dW[inputs, outputs] = Xᵀ·dZ: A = Xᵀ is X with its strides swapped
        _gemm.Multiply(inputs, outputs, batch, new Operand(X, 1, inputs), new Operand(D, outputs, 1), DW, outputs,
            Epilogue.None);
        if (DX != null)
        {
            // dX[batch, inputs] = dZ·Wᵀ
            _gemm.Multiply(batch, inputs, outputs, new Operand(D, outputs, 1), new Operand(W, 1, outputs), DX, inputs,
                Epilogue.None);
        }
    }

    /// <inheritdoc />
    public override bool FusesBackwardSgdStep(int batch, int inputs, int outputs) =>
        batch == 1 || BackwardSgdSweep<TV>.Takes(batch, inputs, outputs);

    /// <inheritdoc />
    public override void DenseBackwardSgdStep(BufferView x, BufferView a, int batch, int inputs, int outputs,
        Activation activation, BufferView delta, BufferView dX, in OptimizerStep step, BufferView w, BufferView b,
        BufferView dW, BufferView db, BufferView z = default)
    {
        if (!FusesBackwardSgdStep(batch, inputs, outputs))
        {
            // dW from a GEMM, read back by the optimizer pass
            base.DenseBackwardSgdStep(x, a, batch, inputs, outputs, activation, delta, dX, step, w, b, dW, db, z);
            return;
        }
        OpChecks.DenseBackward(x, w, a, batch, inputs, outputs, delta, dW, db, dX);
        OpChecks.DenseBackwardSgdStep(step, b, db, outputs);
        OpChecks.PreActivation(activation, z, batch, outputs, nameof(DenseBackwardSgdStep));
        activation = ScaleBySeparateDerivative(activation, a, z, delta);
        float* X = x.Pointer(), W = w.Pointer(), A = a.Pointer(), D = delta.Pointer();
        float* B = b.IsEmpty ? null : b.Pointer(), DB = db.IsEmpty ? null : db.Pointer();
        float* DX = dX.IsEmpty ? null : dX.Pointer();
        var sgd = new OptimizerCoefficients(step);

        // dZ, and db = Σ_rows dZ written to its scratch so the bias update reads what the unfused step would read
        _deltaJob.Set(D, A, DB, batch, outputs, activation);
        _pool.Run(_deltaJob, DeltaTasks(batch, outputs));
        if (batch == 1)
        {
            int chunks = PerExampleRowChunks(inputs, outputs);
            _gemvJob.Set(GemvKind.BackwardSgd, X, W, D, inputs, outputs, chunks, null, DX, sgd);
            RunGemv(GemvKind.BackwardSgd, inputs, outputs, chunks);
        }
        else
        {
            _backwardSgd.Run(X, W, D, DX, batch, inputs, outputs, sgd);
            // with dX the sweep splits W by its rows, which the next forward pass can follow (SweptWeights); without,
            // by its columns, as that pass splits them anyway
            if (DX != null)
            {
                _swept.Remember(W);
            }
            else
            {
                _swept.ForgetWithin(w);
            }
        }
        if (B != null)
        {
            OptimizerOps.Step<TV>(OptimizerKind.Sgd, sgd, DB, B, null, null, 0, outputs);
        }
    }

    /// <inheritdoc />
    public override void DenseBackwardSgdStepThenForward(BufferView xPrevious, BufferView delta, in OptimizerStep step,
        BufferView dW, BufferView db, BufferView x, BufferView w, BufferView b, int inputs, int outputs,
        Activation activation, BufferView a, BufferView z = default)
    {
        if (activation.IsSeparatePass)
        {
            // the forward pass then ends in a pass of its own over Z: nothing to gain over the composition
            base.DenseBackwardSgdStepThenForward(xPrevious, delta, step, dW, db, x, w, b, inputs, outputs, activation, a,
                z);
            return;
        }
        OpChecks.DenseBackward(xPrevious, w, a, 1, inputs, outputs, delta, dW, db, BufferView.Empty);
        OpChecks.DenseBackwardSgdStep(step, db.IsEmpty ? BufferView.Empty : b, db, outputs);
        OpChecks.PreActivation(activation, z, 1, outputs, nameof(DenseBackwardSgdStepThenForward));
        OpChecks.DenseForward(x, w, b, 1, inputs, outputs, a);
        float* XP = xPrevious.Pointer(), X = x.Pointer(), W = w.Pointer(), A = a.Pointer(), D = delta.Pointer();
        float* B = b.IsEmpty ? null : b.Pointer(), DB = db.IsEmpty ? null : db.Pointer();
        var sgd = new OptimizerCoefficients(step);

        // the earlier example's dZ and db from its A, before this example's A overwrites it
        _deltaJob.Set(D, A, DB, 1, outputs, activation);
        _pool.Run(_deltaJob, 1);
        // the biases first: the sweep never reads them, and the forward pass adds them after it
        if (DB != null)
        {
            OptimizerOps.Step<TV>(OptimizerKind.Sgd, sgd, DB, B, null, null, 0, outputs);
        }
        int chunks = PerExampleRowChunks(inputs, outputs);
        float* partials = chunks == 1 ? A : _partials.Get((nint)chunks * outputs);
        _gemvJob.Set(GemvKind.BackwardSgdThenForward, XP, W, D, inputs, outputs, chunks, partials, null, sgd, X);
        RunGemv(GemvKind.BackwardSgdThenForward, inputs, outputs, chunks);
        FinishOne(partials, chunks, B, outputs, activation, A);
    }

    /// <inheritdoc />
    public override void SgdStepThenDenseForward(BufferView dW, in OptimizerStep step, BufferView x, BufferView w,
        BufferView b, int batch, int inputs, int outputs, Activation activation, BufferView a, BufferView z = default)
    {
        OpChecks.SgdStepThenDenseForward(step, dW, w);
        OpChecks.DenseForward(x, w, b, batch, inputs, outputs, a);
        _swept.ForgetWithin(w);
        float* X = x.Pointer(), W = w.Pointer(), A = a.Pointer();
        var bOperand = new Operand(W, outputs, 1);
        if (batch == 1 || activation.IsSeparatePass || !_gemm.CanStepB(batch, outputs, inputs, bOperand))
        {
            // the GEMM reads this W packed, or by several threads, or not at all (one row): the step comes first
            base.SgdStepThenDenseForward(dW, step, x, w, b, batch, inputs, outputs, activation, a, z);
            return;
        }
        OpChecks.PreActivation(activation, z, batch, outputs, nameof(SgdStepThenDenseForward));
        float* B = b.IsEmpty ? null : b.Pointer();
        var sgd = new OptimizerCoefficients(step);
        bool epilogue = B != null || activation != Activation.Identity;
        _gemm.Multiply(batch, outputs, inputs, new Operand(X, inputs, 1), bOperand, A, outputs,
            new Epilogue(B, activation, epilogue), new PendingSgdStep(dW.Pointer(), sgd.Lr, sgd.Wd));
    }

    // For an activation applied in its own pass: delta ⊙= f'(stored) here, and the rest of the backward pass is the
    // identity's. Returns the activation the rest should use.
    private Activation ScaleBySeparateDerivative(Activation activation, BufferView a, BufferView z, BufferView delta)
    {
        if (!activation.IsSeparatePass)
        {
            return activation;
        }
        float* stored = (activation.NeedsPreActivation ? z : a).Pointer(), D = delta.Pointer();
        Elementwise.ScaleByDerivative<TV>(stored, D, delta.Length, activation);
        return Activation.Identity;
    }

    /// <inheritdoc />
    public override void Loss(BufferView output, BufferView targets, int batch, int outputs, LossKind loss,
        BufferView dOutput, BufferView metrics, int meanOver = 0)
    {
        int mean = OpChecks.Loss(output, targets, batch, outputs, dOutput, metrics, meanOver);
        float* O = output.Pointer(), T = targets.Pointer(), M = metrics.Pointer();
        float* dO = dOutput.IsEmpty ? null : dOutput.Pointer();
        (double sum, int correct) = LossOps.Run<TV>(O, T, dO, batch, outputs, loss, mean);
        M[0] = (float)(M[0] + sum);
        M[1] = (float)(M[1] + (double)correct); // one rounding: past 2^24 the count alone is no float
    }

    /// <inheritdoc />
    public override void OptimizerStep(BufferView dParameters, in OptimizerStep step, BufferView parameters,
        BufferView state)
    {
        OpChecks.OptimizerStep(dParameters, step, parameters, state);
        _swept.ForgetWithin(parameters);
        int n = dParameters.Length;
        if (n == 0)
        {
            return;
        }
        int slots = Kernels.OptimizerStep.StateSlots(step.Kind);
        float* s = slots == 0 ? null : state.Pointer();
        _optimizerJob.Set(step.Kind, new OptimizerCoefficients(step), dParameters.Pointer(), parameters.Pointer(), s,
            slots == 2 ? s + n : null, n);
        _pool.Run(_optimizerJob, n >= ParallelElements ? _pool.Threads : 1);
    }

    /// <inheritdoc />
    /// <remarks>Two passes (<see cref="TrustRatioOps"/>): the squared norms per block of
    /// <see cref="TrustRatioOps.Block"/> elements, added in block order here, then the update; the result depends on
    /// the vector width, not on the thread count.</remarks>
    public override void TrustRatioStep(BufferView dParameters, in OptimizerStep step, BufferView parameters,
        BufferView moment, BufferView secondMoment, bool adapt)
    {
        OpChecks.TrustRatioStep(dParameters, step, parameters, moment, secondMoment);
        _swept.ForgetWithin(parameters);
        int n = dParameters.Length;
        if (n == 0)
        {
            return;
        }
        bool lamb = step.Kind == OptimizerKind.Lamb;
        var k = new TrustRatioCoefficients(step, adapt);
        int threads = n >= ParallelElements ? _pool.Threads : 1;
        _trustRatioJob.Set(lamb, k, dParameters.Pointer(), parameters.Pointer(), moment.Pointer(),
            lamb ? secondMoment.Pointer() : null, n);
        _pool.Run(_trustRatioJob, threads);
        (double wSquares, double squares) = _trustRatioJob.Sums();
        double ratio = 1;
        if (adapt && wSquares > 0 && squares > 0)
        {
            // LARS: ρ = τ·‖w‖/(‖∇‖ + λ‖w‖); LAMB: ρ = ‖w‖/‖u‖
            double wNorm = Math.Sqrt(wSquares);
            ratio = lamb ? wNorm / Math.Sqrt(squares) : step.TrustCoefficient * wNorm / (Math.Sqrt(squares) + (step.WeightDecay * wNorm));
        }
        _trustRatioJob.StartUpdate((float)(step.LearningRate * ratio));
        _pool.Run(_trustRatioJob, threads);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pool.Dispose();
            _gemm.Dispose();
            _backwardSgd.Dispose();
            _partials.Dispose();
        }
        base.Dispose(disposing);
    }

    // Task task's share of n floats, in whole 64-byte cache lines, so no two threads write one line.
    private static (int First, int End) CacheLineRange(int n, int task, int taskCount)
    {
        int lines = (n + 15) / 16;
        return ((int)Math.Min(n, (long)lines * task / taskCount * 16),
            (int)Math.Min(n, (long)lines * (task + 1) / taskCount * 16));
    }

    private sealed class DeltaJob : IParallelJob
    {
        private float* _delta, _a, _db;
        private int _batch, _outputs;
        private Activation _activation;

        public void Set(float* delta, float* a, float* db, int batch, int outputs, Activation activation)
        {
            _delta = delta;
            _a = a;
            _db = db;
            _batch = batch;
            _outputs = outputs;
            _activation = activation;
        }

        // column ranges of whole cache lines, four per thread, claimed as the threads come free, so the thread that
        // runs faster takes more (one thread's half of a batch-1024 step's 1024 columns took twice the other's: the
        // pass took 451 µs in two ranges, 238 µs in eight, on an AVX-512 Zen 5); each column is summed by one task
        public int Tasks(int threads) => Math.Clamp(_outputs / 16, 1, threads * 4);

        public void Execute(int task, int taskCount, int worker)
        {
            (int j0, int j1) = CacheLineRange(_outputs, task, taskCount);
            Elementwise.DeltaAndColumnSums<TV>(_delta, _a, _db, _batch, _outputs, j0, j1, _activation);
        }
    }

    private enum GemvKind
    {
        // y = x·W: partial sums per chunk of rows
        Forward,

        // dW = xᵀ·dz and dX = dz·Wᵀ
        Backward,

        // dX = dz·Wᵀ and W −= η·(xᵀ·dz + λW), without dW
        BackwardSgd,

        // W −= η·(xᵀ·dz + λW) for the earlier example, then the next one's partial sums per chunk from the new rows
        BackwardSgdThenForward,
    }

    private sealed class GemvJob : IParallelJob
    {
        private float* _x, _w, _dz, _out, _dX, _xNext;
        private int _inputs, _outputs, _chunks;
        private GemvKind _kind;
        private OptimizerCoefficients _sgd;

        public void Set(GemvKind kind, float* x, float* w, float* dz, int inputs, int outputs, int chunks,
            float* output, float* dX, in OptimizerCoefficients sgd = default, float* xNext = null)
        {
            _kind = kind;
            _xNext = xNext;
            _x = x;
            _w = w;
            _dz = dz;
            _inputs = inputs;
            _outputs = outputs;
            _chunks = chunks;
            _out = output;
            _dX = dX;
            _sgd = sgd;
        }

        // the first row of chunk c
        private int Row(int c) => (int)((long)_inputs * c / _chunks);

        public void Execute(int task, int taskCount, int worker)
        {
            // this task's whole chunks, the same rows in the forward and the backward pass
            int c0 = (int)((long)_chunks * task / taskCount), c1 = (int)((long)_chunks * (task + 1) / taskCount);
            int i0 = Row(c0), i1 = Row(c1);
            float* x = _x + i0, w = _w + ((nint)i0 * _outputs), dX = _dX == null ? null : _dX + i0;
            switch (_kind)
            {
                case GemvKind.Forward:
                    for (int c = c0; c < c1; c++)
                    {
                        int first = Row(c);
                        Gemv.RowTimesMatrix<TV>(_x + first, _w + ((nint)first * _outputs), Row(c + 1) - first, _outputs,
                            _out + ((nint)c * _outputs));
                    }
                    break;
                case GemvKind.Backward:
                    float* dW = _out + ((nint)i0 * _outputs);
                    Gemv.OuterAndMatrixTimesColumn<TV>(x, w, _dz, i1 - i0, _outputs, dW, dX);
                    break;
                case GemvKind.BackwardSgd:
                    Gemv.OuterSgdAndMatrixTimesColumn<TV>(x, w, _dz, i1 - i0, _outputs, _sgd, dX);
                    break;
                default:
                    for (int c = c0; c < c1; c++)
                    {
                        int first = Row(c);
                        Gemv.OuterSgdThenRowTimesMatrix<TV>(_x + first, _w + ((nint)first * _outputs), _dz,
                            Row(c + 1) - first, _outputs, _sgd, _xNext + first, _out + ((nint)c * _outputs));
                    }
                    break;
            }
        }
    }

    private sealed class OptimizerJob : IParallelJob
    {
        private OptimizerKind _kind;
        private OptimizerCoefficients _coefficients;
        private float* _grad, _theta, _s0, _s1;
        private int _n;

        public void Set(OptimizerKind kind, OptimizerCoefficients coefficients, float* grad, float* theta, float* s0,
            float* s1, int n)
        {
            _kind = kind;
            _coefficients = coefficients;
            _grad = grad;
            _theta = theta;
            _s0 = s0;
            _s1 = s1;
            _n = n;
        }

        public void Execute(int task, int taskCount, int worker)
        {
            (int i0, int i1) = CacheLineRange(_n, task, taskCount);
            if (i0 >= i1)
            {
                return;
            }
            OptimizerOps.Step<TV>(_kind, _coefficients, _grad, _theta, _s0, _s1, i0, i1);
        }
    }

    // The two passes of TrustRatioStep: blocks of the norms, then element ranges of the update.
    private sealed class TrustRatioJob : IParallelJob
    {
        private double[] _sums = [];
        private TrustRatioCoefficients _k;
        private float* _grad, _w, _m, _v;
        private int _n, _blocks;
        private bool _lamb, _update;
        private float _c;

        public void Set(bool lamb, in TrustRatioCoefficients k, float* grad, float* w, float* m, float* v, int n)
        {
            _lamb = lamb;
            _k = k;
            _grad = grad;
            _w = w;
            _m = m;
            _v = v;
            _n = n;
            _blocks = (n + TrustRatioOps.Block - 1) / TrustRatioOps.Block;
            if (_sums.Length < 2 * _blocks)
            {
                _sums = new double[2 * _blocks]; // grows to the largest segment, then is reused
            }
            _update = false;
        }

        // Σ w² and Σ ∇² (or Σ u²), the blocks added in order
        public (double W, double Second) Sums()
        {
            double w = 0, second = 0;
            for (int b = 0; b < _blocks; b++)
            {
                w += _sums[2 * b];
                second += _sums[(2 * b) + 1];
            }
            return (w, second);
        }

        public void StartUpdate(float c)
        {
            _c = c;
            _update = true;
        }

        public void Execute(int task, int taskCount, int worker)
        {
            if (!_update)
            {
                int b0 = (int)((long)_blocks * task / taskCount), b1 = (int)((long)_blocks * (task + 1) / taskCount);
                TrustRatioOps.Norms<TV>(_lamb, _k, _grad, _w, _m, _v, _n, b0, b1, _sums);
                return;
            }
            (int i0, int i1) = CacheLineRange(_n, task, taskCount);
            if (i0 >= i1)
            {
                return;
            }
            TrustRatioOps.Update<TV>(_lamb, _k, _c, _grad, _w, _m, _v, i0, i1);
        }
    }

    private sealed class GatherJob : IParallelJob
    {
        private float* _source, _destination;
        private int[] _index = [];
        private int _rowLength, _first, _rows;

        public void Set(float* source, int rowLength, int[] index, int first, int rows, float* destination)
        {
            _source = source;
            _rowLength = rowLength;
            _index = index;
            _first = first;
            _rows = rows;
            _destination = destination;
        }

        public void Execute(int task, int taskCount, int worker)
        {
            int r0 = (int)((long)_rows * task / taskCount), r1 = (int)((long)_rows * (task + 1) / taskCount);
            // split between threads, the batch is read by both, so each step's gather overwrites lines the other core
            // holds: streaming stores do not wait to claim them (tanh-64 ×1.030, 16 of 16 alternations)
            bool streams = taskCount > 1;
            for (int r = r0; r < r1; r++)
            {
                float* from = _source + ((nint)_index[_first + r] * _rowLength);
                float* to = _destination + ((nint)r * _rowLength);
                if (streams)
                {
                    StreamingCopy.Copy(from, to, _rowLength);
                }
                else
                {
                    Buffer.MemoryCopy(from, to, (long)_rowLength * sizeof(float), (long)_rowLength * sizeof(float));
                }
            }
            if (streams)
            {
                StreamingCopy.Fence();
            }
        }
    }
}
