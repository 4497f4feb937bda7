using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FastNet.Kernels.Simd;

/// <summary>
/// A batch's dX = dZ·Wᵀ (unless the layer is the first), dW = Xᵀ·dZ and plain-SGD step of W in one sweep over W's
/// rows, a panel of <see cref="Gemm{TV}.Nr"/> rows at a time: first that panel's columns of dX from the old rows, then
/// the rows' gradient a micro-tile at a time, each tile stepped into W while it is in L1. W is read from memory once
/// and written once, and dW is never written; separately, the dX GEMM, the dW GEMM and the optimizer pass move W three
/// times and dW twice, which at a small batch costs more than the products.
/// The same bits as those three: every element of dX and of the gradient is summed with the GEMM's micro-kernels in
/// its order (k-blocks of <see cref="Gemm{TV}.DepthBlock"/>, each block's chain added to the element in turn), and
/// the step is the optimizer pass's arithmetic. dZ is packed once per call, in both of the layouts the kernels read;
/// the panels go out in <see cref="GuidedSplit"/>'s tasks. Without dX (a first layer) the tasks take W's column panels
/// over all its rows instead, as the next forward pass's GEMM splits W.
/// </summary>
internal sealed unsafe class BackwardSgdSweep<TV> : IDisposable where TV : unmanaged, IVec<TV>
{
    private readonly WorkerPool _pool;
    private readonly NativeArray _deltaAsA = new(), _deltaAsB = new(), _inputsAsA = new();
    private readonly NativeArray[] _weightPanels, _inputPanels, _tiles;
    private readonly PackJob _packJob;
    private readonly SweepJob _sweepJob;

    // the current call, read by the jobs
    private float* _x, _w, _delta, _dX, _deltaAsAPacked, _deltaAsBPacked, _inputsAsAPacked;
    private int _batch, _inputs, _outputs, _paddedBatch, _rowPanels, _columnPanels, _depthBlock, _threads;
    private float _learningRate, _weightDecay;

    /// <summary>A sweep for one backend, using <paramref name="pool"/>'s threads.</summary>
    public BackwardSgdSweep(WorkerPool pool)
    {
        _pool = pool;
        _weightPanels = [.. Enumerable.Range(0, pool.Threads).Select(_ => new NativeArray())];
        _inputPanels = [.. Enumerable.Range(0, pool.Threads).Select(_ => new NativeArray())];
        _tiles = [.. Enumerable.Range(0, pool.Threads).Select(_ => new NativeArray())];
        _packJob = new PackJob(this);
        _sweepJob = new SweepJob(this);
    }

    /// <summary>Bytes of packing buffers and tiles held now (they grow to the largest call so far).</summary>
    public long ScratchBytes =>
        _deltaAsA.Bytes + _deltaAsB.Bytes + _inputsAsA.Bytes
        + _weightPanels.Concat(_inputPanels).Concat(_tiles).Sum(a => a.Bytes);

    /// <summary>
    /// Whether a layer of this shape takes the sweep: where it was measured faster than the separate passes (an
    /// AVX-512 Zen 5, 2 threads: ×1.09 to ×2.3 for batches of 8 to 64, W from 512 × 512 to 1024 × 2048), which is a
    /// small batch and a W of at least <see cref="Gemm{TV}.AliasingRowStride"/> rows whose row stride is a multiple
    /// of it, so the separate passes' strided reads of W alias in the caches. Elsewhere it was slower: a W that fits
    /// in L2 (256 × 256: ×0.83 to ×0.91), few rows (64 × 1024: ×0.84), a row stride that does not alias (2048 × 256:
    /// ×0.97), a batch of 128 to 256 (×0.91 to ×1.04). A first layer (no dX) takes it too: against its dW GEMM and
    /// the step left to the next forward pass, which reads dW back, 784 × 1024 at a batch of 64 in a sigmoid-64 step
    /// ×1.022 and ×1.043 (the same machine, switched per 0.25 s slice in one process).
    /// </summary>
    public static bool Takes(int batch, int inputs, int outputs) =>
        batch > 1 && batch <= MaxBatch && inputs >= Gemm<TV>.AliasingRowStride
        && outputs % Gemm<TV>.AliasingRowStride == 0;

    // the largest batch that takes the sweep; at most one k-block, so each gradient tile is final when the kernel
    // leaves it
    private const int MaxBatch = 64;

    /// <summary>The most bytes one thread's panel of W, panels of X and micro-tile hold, whatever the layer.</summary>
    public static long ThreadScratchBytes => NativeArray.BytesFor((long)Gemm<TV>.Kc * Gemm<TV>.Nr)
        + NativeArray.BytesFor((long)Gemm<TV>.PaddedRows(Gemm<TV>.Nr) * MaxBatch)
        + NativeArray.BytesFor((long)Gemm<TV>.Mr * Gemm<TV>.Nr);

    /// <summary>
    /// dX[batch, inputs] = dZ·Wᵀ with the W on entry (none where dX is null), then W[inputs, outputs] −= η·(Xᵀ·dZ +
    /// λ·W), λ's term left out when λ = 0 as the optimizer pass does; only where <see cref="Takes"/>. X [batch, inputs]
    /// and dZ [batch, outputs] are row-major and read only.
    /// </summary>
    public void Run(float* x, float* w, float* delta, float* dX, int batch, int inputs, int outputs,
        in OptimizerCoefficients sgd)
    {
        if (!Takes(batch, inputs, outputs))
        {
            throw new InvalidOperationException("this layer does not take the sweep: check Takes first");
        }
        _x = x;
        _w = w;
        _delta = delta;
        _dX = dX;
        (_batch, _inputs, _outputs) = (batch, inputs, outputs);
        (_learningRate, _weightDecay) = (sgd.Lr, sgd.Wd);
        _paddedBatch = Gemm<TV>.PaddedRows(batch);
        // dX = dZ·Wᵀ summed in the k-blocks the GEMM would sum it in (Wᵀ as its B)
        _depthBlock = Gemm<TV>.DepthBlock(batch, new Operand(w, 1, outputs));
        _rowPanels = (inputs + Gemm<TV>.Nr - 1) / Gemm<TV>.Nr;
        _columnPanels = outputs / Gemm<TV>.Nr;
        _deltaAsBPacked = _deltaAsB.Get((nint)outputs * batch);
        if (dX != null)
        {
            _deltaAsAPacked = _deltaAsA.Get((nint)_paddedBatch * outputs);
        }
        else
        {
            _inputsAsAPacked = _inputsAsA.Get((nint)Gemm<TV>.PaddedRows(inputs) * batch);
        }
        _pool.Run(_packJob, 2);
        // the panels in GuidedSplit's tasks, so a faster core takes more of them: W's row panels where dX's columns
        // follow them, else its column panels, as the next forward pass's GEMM splits W, so that each thread updates
        // the columns it will read there and W's lines stay in the core that reads them
        _threads = Math.Min(_pool.Threads, dX != null ? _rowPanels : _columnPanels);
        _pool.Run(_sweepJob, GuidedSplit.Tasks(_threads));
    }

    // task 0: dZ as the A of dX = dZ·Wᵀ, every k-block over all its rows, or without dX Xᵀ as the A of Xᵀ·dZ, all its
    // rows; task 1: dZ as the B of Xᵀ·dZ, one k-block of whole panels (Takes: the outputs are a multiple of them)
    private void Pack(int task)
    {
        var delta = new Operand(_delta, _outputs, 1);
        int mr = Gemm<TV>.Mr, nr = Gemm<TV>.Nr;
        if (task == 0 && _dX == null)
        {
            Packing.PackA(new Operand(_x, 1, _inputs), 0, _inputs, 0, _batch, mr, _inputsAsAPacked);
            return;
        }
        if (task == 0)
        {
            for (int k0 = 0; k0 < _outputs; k0 += _depthBlock)
            {
                int depth = Math.Min(_depthBlock, _outputs - k0);
                Packing.PackA(delta, 0, _batch, k0, depth, mr, _deltaAsAPacked + ((nint)_paddedBatch * k0));
            }
            return;
        }
        nint panelSize = (nint)_batch * nr;
        Packing.PackBRows(delta, 0, _batch, 0, _outputs / nr, nr, _deltaAsBPacked, panelSize);
    }

    // panels of W's rows [first, end) of this task, each: dX's columns, then the rows' gradient and step
    private void Sweep(int task, int worker)
    {
        if (_dX == null)
        {
            StepColumns(task, worker);
            return;
        }
        int first = GuidedSplit.Start(_rowPanels, _threads, task);
        int end = GuidedSplit.Start(_rowPanels, _threads, task + 1);
        int nr = Gemm<TV>.Nr;
        float* weightPanel = _weightPanels[worker].Get((nint)Math.Min(_depthBlock, _outputs) * nr);
        float* inputPanels = _inputPanels[worker].Get((nint)Gemm<TV>.PaddedRows(nr) * _batch);
        float* tile = _tiles[worker].Get((nint)Gemm<TV>.Mr * nr);
        for (int q = first; q < end; q++)
        {
            int i0 = q * nr, rows = Math.Min(nr, _inputs - i0);
            InputGradientColumns(i0, rows, weightPanel, tile);
            StepRows(i0, rows, inputPanels, tile);
        }
    }

    // without dX: panels of W's columns [first, end) of this task over all of W's rows, a micro-tile at a time
    private void StepColumns(int task, int worker)
    {
        int nr = Gemm<TV>.Nr;
        int j0 = GuidedSplit.Start(_columnPanels, _threads, task) * nr;
        int j1 = GuidedSplit.Start(_columnPanels, _threads, task + 1) * nr;
        float* tile = _tiles[worker].Get((nint)Gemm<TV>.Mr * nr);
        if (_weightDecay == 0)
        {
            StepColumns<Undecayed>(j0, j1, tile);
        }
        else
        {
            StepColumns<Decayed>(j0, j1, tile);
        }
    }

    // row by row of micro-tiles, so that each of W's rows is read and written along its columns [j0, j1)
    private void StepColumns<TDecay>(int j0, int j1, float* tile) where TDecay : IWeightDecayTerm
    {
        int mr = Gemm<TV>.Mr, nr = Gemm<TV>.Nr;
        TV lr = TV.Splat(_learningRate), wd = TV.Splat(_weightDecay);
        for (int r0 = 0; r0 < _inputs; r0 += mr)
        {
            int rows = Math.Min(mr, _inputs - r0);
            float* inputPanel = _inputsAsAPacked + ((nint)r0 * _batch);
            // the next micro-panel's rows of W are as many runs a row (4 KiB) apart, one run per tile: the hardware
            // prefetcher does not follow them, so each tile asks for its successor's (sigmoid-64 ×1.019 in seven
            // processes), into L2: used a row of tiles later, they would leave L1 first, as the 12 runs of a tile
            // share a few of its sets (64 × 784 → 1024 against fetching into L1: ×1.035 in one process, 20 of 24
            // alternated slices; ×1.015 over 8 alternated fresh processes, 5 faster)
            int ahead = Sse.IsSupported ? Math.Min(mr, _inputs - r0 - mr) : 0;
            for (int j = j0; j < j1; j += nr)
            {
                float* next = _w + ((nint)(r0 + mr) * _outputs) + j;
                for (int r = 0; r < ahead; r++)
                {
                    Packing.PrefetchRun(next + ((nint)r * _outputs), nr, intoL2: true);
                }
                StepTile<TDecay>(lr, wd, rows, inputPanel, r0, j, tile);
            }
        }
    }

    // W's rows [i, i + rows) × columns [j, j + Nr): the gradient tile from Xᵀ's micro-panel and dZ's panel j, then the
    // step of those weights; inlined for the whole tile, as a call per row cost more than the update
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StepTile<TDecay>(TV lr, TV wd, int rows, float* inputPanel, int i, int j, float* tile)
        where TDecay : IWeightDecayTerm
    {
        int nr = Gemm<TV>.Nr;
        Gemm<TV>.RunKernel(Gemm<TV>.KernelRows(rows), _batch, inputPanel, _deltaAsBPacked + ((nint)j * _batch), nr,
            tile, nr, false);
        OptimizerOps.SgdBlock<TV, TDecay>(lr, wd, tile, nr, _w + ((nint)i * _outputs) + j, _outputs, rows, nr);
    }

    // dX[:, i0 .. i0 + columns) = dZ·W[i0 .. i0 + columns, :]ᵀ, k-block by k-block as the GEMM sums it
    private void InputGradientColumns(int i0, int columns, float* weightPanel, float* tile)
    {
        int mr = Gemm<TV>.Mr, nr = Gemm<TV>.Nr;
        var weightsTransposed = new Operand(_w, 1, _outputs);
        for (int k0 = 0; k0 < _outputs; k0 += _depthBlock)
        {
            int depth = Math.Min(_depthBlock, _outputs - k0);
            bool accumulate = k0 > 0;
            Packing.PackB(weightsTransposed, k0, depth, i0, columns, nr, weightPanel);
            float* aBlock = _deltaAsAPacked + ((nint)_paddedBatch * k0);
            for (int r0 = 0; r0 < _batch; r0 += mr)
            {
                Gemm<TV>.RunTile(Math.Min(mr, _batch - r0), columns, depth, aBlock + ((nint)r0 * depth), 0,
                    weightPanel, nr, _dX + ((nint)r0 * _inputs) + i0, _inputs, tile, accumulate);
            }
        }
    }

    // W's rows [i0, i0 + count): the gradient Xᵀ·dZ a micro-tile at a time, each tile stepped into W at once
    private void StepRows(int i0, int count, float* inputPanels, float* tile)
    {
        Packing.PackA(new Operand(_x, 1, _inputs), i0, count, 0, _batch, Gemm<TV>.Mr, inputPanels);
        if (_weightDecay == 0)
        {
            StepRows<Undecayed>(i0, count, inputPanels, tile);
        }
        else
        {
            StepRows<Decayed>(i0, count, inputPanels, tile);
        }
    }

    private void StepRows<TDecay>(int i0, int count, float* inputPanels, float* tile) where TDecay : IWeightDecayTerm
    {
        int mr = Gemm<TV>.Mr, nr = Gemm<TV>.Nr;
        TV lr = TV.Splat(_learningRate), wd = TV.Splat(_weightDecay);
        for (int j0 = 0; j0 < _outputs; j0 += nr)
        {
            for (int r0 = 0; r0 < count; r0 += mr)
            {
                int rows = Math.Min(mr, count - r0);
                StepTile<TDecay>(lr, wd, rows, inputPanels + ((nint)r0 * _batch), i0 + r0, j0, tile);
            }
        }
    }


    /// <summary>Frees the packing buffers.</summary>
    public void Dispose()
    {
        _deltaAsA.Dispose();
        _deltaAsB.Dispose();
        _inputsAsA.Dispose();
        foreach (NativeArray array in _weightPanels.Concat(_inputPanels).Concat(_tiles))
        {
            array.Dispose();
        }
    }

    private sealed class PackJob(BackwardSgdSweep<TV> owner) : IParallelJob
    {
        public void Execute(int task, int taskCount, int worker) => owner.Pack(task);
    }

    private sealed class SweepJob(BackwardSgdSweep<TV> owner) : IParallelJob
    {
        public void Execute(int task, int taskCount, int worker) => owner.Sweep(task, worker);
    }
}
