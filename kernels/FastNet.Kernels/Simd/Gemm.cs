using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FastNet.Kernels.Simd;

/// <summary>
/// Single-precision C = A·B (overwrites C) with A [M, K] and B [K, N] given by strides, so X·W, Xᵀ·dZ and dZ·Wᵀ are
/// one code path. Blocking: k-blocks of <see cref="DepthBlock"/> steps and micro-panels of NR columns of B; a row-major
/// B is read in place (its rows are a panel's steps) unless its rows are a multiple of <see cref="AliasingRowStride"/>
/// apart and A has more than <see cref="AliasedInPlaceRows"/> rows; any other B is packed once per call, each group of
/// panels just before its first use: where the threads split only C's columns, each thread packs its own panels into a
/// region of the buffer that is its own from one call to the next (no other thread reads them, and its lines stay in
/// that thread's core); where they split C's rows too, all threads read all panels, and the first thread that needs a
/// group packs it for all (no separate pass, no barrier). Each task owns a rectangle of C, packs its A rows
/// <see cref="Mc"/> at a time (that block stays in L2) and sweeps the B micro-panels over it; where the threads split
/// only C's columns, each would pack all of A, so a row-major A whose rows do not alias has its whole 12-row panels
/// read in place instead, and an A of at most Mc × Kc floats is packed whole once per thread. Where either holds, the
/// columns go out in <see cref="GuidedSplit"/>'s tasks, so that a faster core computes more of them; elsewhere (A
/// packed block by block, as at a batch of 1024) two threads keep one task each, and the boundary between their
/// columns follows their measured speed on the last call of the same kind (between 3/8 and 5/8 of the panels each).
/// A C no wider than one micro-panel (N ≤ NR, such as a 10-wide output layer) has nothing to reuse a packed A for, so
/// its kernel reads A in place and stores only C's valid columns (<see cref="NarrowMicroKernel"/>).
/// A call can also take a pending SGD step of an in-place B (<see cref="CanStepB"/>): each thread then updates each
/// k-block of its own panels just before its first micro-tile reads it, so B is read from memory once. Or, asked to,
/// two threads split an in-place B of two equal k-blocks by its rows, each computing all of C for one k-block, so
/// that each reads only the half of B's rows that its core wrote last (see <see cref="Multiply"/>).
/// Every element of C is summed over K in the same order whatever the thread count or partition, so results are
/// deterministic and do not depend on the number of threads.
/// </summary>
internal sealed unsafe class Gemm<TV> : IDisposable where TV : unmanaged, IVec<TV>
{
    // a GEMM below this many multiply-adds runs on the calling thread: waking the workers and reading what they wrote
    // costs more. Measured on an AVX-512 Zen 5 in training steps of 784-256-10 at a batch of 64, whose output layer's
    // three products are 163,840 each (switched per 0.25 s slice in one process, 20 pairs): 2^18 against 2^17, median
    // ×1.025 over nine processes (×0.994 to ×1.081); the hidden layer's ∂L/∂A ⊙ f', which reads dX, went from 4.8–6.5
    // to 1.3–1.9 µs
    private const long ParallelThreshold = 1 << 18;

    private readonly WorkerPool _pool;
    private readonly NativeArray _packedB = new();
    private readonly NativeArray[] _packedA;
    private readonly NativeArray[] _tiles;
    private readonly ComputeJob _computeJob;
    private readonly AddSecondHalfJob _addSecondHalfJob;
    // the second k-block's products where two threads split the depth (_depthHalves), added to C after both are done
    private readonly NativeArray _secondHalf = new();
    // per packing unit of the current call (a k-block's group of B panels): NotPacked, BeingPacked or Packed
    private int[] _packStates = [];
    // floats of B's buffer that are each thread's own where the threads split only C's columns: thread t's packed
    // panels start at t times this, which only grows, so each thread keeps the same region from one call to the next
    private nint _ownRegion;

    // the current call, read by the jobs
    private int _m, _n, _k, _kc, _panels, _kBlocks, _tasksM, _tasksN, _rowsPerTask, _panelsPerTask, _firstPacked;
    private int _packGroups, _panelsPerGroup, _columnTasks;
    private bool _readsAInPlace, _sharesB, _guided, _wholeA, _depthHalves;
    // the calls so far, and per thread the call whose whole A its block holds (_wholeA: packed by its first task)
    private long _call;
    private readonly long[] _aPackedInCall;
    // where two threads split a product's columns with A packed per task (_balanced), the calling thread's share of
    // the panels per kind of product, moved after each call towards what the two tasks' times say would have
    // finished them together; and the current call's start and tasks' ends (Stopwatch ticks)
    private readonly Dictionary<(int M, int N, int K, bool RowMajorA, bool RowMajorB), double> _callerShares = [];
    private bool _balanced;
    private int _callerPanels;
    private long _callStart;
    private readonly long[] _taskEnds = new long[2];
    private Operand _a, _b;
    private float* _c;
    private nint _ldc;
    private float* _bPacked, _secondHalfData;
    private Epilogue _epilogue;
    private PendingSgdStep _step;

    /// <summary>A GEMM engine for one backend, using <paramref name="pool"/>'s threads.</summary>
    public Gemm(WorkerPool pool)
    {
        _pool = pool;
        _packedA = [.. Enumerable.Range(0, pool.Threads).Select(_ => new NativeArray())];
        _aPackedInCall = new long[pool.Threads];
        _tiles = [.. Enumerable.Range(0, pool.Threads).Select(_ => new NativeArray())];
        _computeJob = new ComputeJob(this);
        _addSecondHalfJob = new AddSecondHalfJob(this);
    }

    /// <summary>Rows of a micro-tile: 12 with AVX-512's 32 registers (24 accumulators), else 6.</summary>
    public static int Mr => TV.Count == 16 ? 12 : 6;

    /// <summary>Columns of a micro-tile (two vectors).</summary>
    public static int Nr => 2 * TV.Count;

    /// <summary>
    /// Depth of a k-block: each element of C is one chain of multiply-adds per block, the blocks' sums added to it in
    /// turn, so every micro-tile of C is read and written once per block. With 512-bit vectors a block is 1024 steps
    /// deep, so a product with K ≤ 1024 writes each tile of C once and never reads it back (at 256 steps a 1024 × 1024
    /// C, 4 MiB, more than L2, made four passes). Measured on an AVX-512 Zen 5, 2 threads, against 256 steps (with
    /// <see cref="Mc"/> of 72–96 and 144 rows): in one process, steps at a batch of 1024 ×1.07–1.08, tanh-64 ×1.04,
    /// sigmoid-64 ×1.01, SGEMM 1024³ ×1.04, 8192 × 4096 → 4096 ×1.04, 2048³ ×1.00; in alternated fresh processes
    /// (8 rounds) sigmoid-1024 ×1.037 and relu-adam-1024 ×1.044 (8 of 8), SGEMM 1024³ ×1.047 (7 of 8). 256-bit vectors
    /// keep the depth measured on Zen 2.
    /// </summary>
    public static int Kc => TV.Count == 16 ? 1024 : 256;

    /// <summary>
    /// Depth of a k-block where B is read in place and its rows alias (<see cref="AliasingRowStride"/>): a panel's
    /// steps then share a few sets of the caches, and the deeper the block the more of them each micro-tile reads from
    /// L3 again. At 64 × 784 → 1024 with 512-bit vectors: 512 ×1.07 against 256, 1024 ×0.91.
    /// </summary>
    public static int AliasedInPlaceKc => TV.Count == 16 ? 512 : Kc;

    /// <summary>Rows of A packed at a time per thread: a block of Mc × Kc floats (up to 384 KiB at 512 bits) stays
    /// in L2.</summary>
    public static int Mc => Mr * (TV.Count == 16 ? 8 : 12);

    /// <summary>The depth of the k-blocks that C = A·B is summed in, for C's <paramref name="m"/> rows and this B: the
    /// summation order of every element, which the fused backward sweep follows too.</summary>
    public static int DepthBlock(int m, Operand b) =>
        ReadsBInPlace(m, b) && b.RowStride % AliasingRowStride == 0 ? AliasedInPlaceKc : Kc;

    /// <summary>
    /// Row strides of B (floats) whose multiples make an in-place micro-panel alias in the caches: a k-block's steps,
    /// one row apart, then fall into the same few sets of L1 and L2 (N = 1024: 256 steps put 256 lines into one set of
    /// L1 and 16 of L2), so every micro-tile that reuses the panel reads it from L3 again. Such a B is packed.
    /// </summary>
    public const int AliasingRowStride = 512;

    /// <summary>
    /// Rows of A up to which a row-major B is read in place even where its rows alias: each of its panels then serves
    /// few micro-tiles, and packing the whole of B costs more than the misses. Measured per vector width on an AVX-512
    /// Zen 5: with 512-bit vectors a panel step is two cache lines, and reading in place was faster up to 512 rows
    /// (×1.18 at 64 rows, ×1.06 at 512, even at 1024, ×0.94 at 2048); with 256-bit vectors (one line a step) packing
    /// was faster from 64 rows on (in place ×0.84), as on Zen 2, so there only a single row of micro-tiles reads in
    /// place.
    /// </summary>
    public static int AliasedInPlaceRows => TV.Count == 16 ? 512 : Mr;

    // panels of a row-major B packed together, row by row, so each of its rows is read as one contiguous run
    private const int PanelsPerPackGroup = 8;

    private const int NotPacked = 0, BeingPacked = 1, Packed = 2;

    /// <summary>The most bytes one thread's packed block of A and micro-tile hold, whatever the product: a whole A is
    /// packed at once only where it fits in a block of <see cref="Mc"/> × <see cref="Kc"/>.</summary>
    public static long ThreadScratchBytes => NativeArray.BytesFor((long)Mc * Kc) + NativeArray.BytesFor((long)Mr * Nr);

    /// <summary>Bytes of packing buffers and tiles held now (they grow to the largest call so far).</summary>
    public long ScratchBytes =>
        _packedB.Bytes + _secondHalf.Bytes + _packedA.Concat(_tiles).Sum(array => array.Bytes);

    /// <summary>
    /// Whether <see cref="Multiply"/> of these operands can take a pending SGD step of B: B is read in place, in whole
    /// panels (more than one, so not the narrow path), and the threads split C's columns only, so that each block of B
    /// is read by one thread, which updates it first.
    /// </summary>
    public bool CanStepB(int m, int n, int k, Operand b) =>
        StepsB(ReadsBInPlace(m, b), n, Partition(m, n, k, (n + Nr - 1) / Nr, ThreadsFor(m, n, k)).TasksM);

    /// <summary>
    /// C[m, n] = A[m, k]·B[k, n], then the epilogue; C row-major with leading dimension ldc. With
    /// <paramref name="step"/> enabled (only where <see cref="CanStepB"/>), B is first updated by that SGD step.
    /// <para>
    /// With <paramref name="byDepthHalves"/>, where B is read in place in whole panels and its depth makes exactly two
    /// equal k-blocks, two threads split B's rows instead of C's columns: the calling thread multiplies by the first
    /// half of B's rows into C, a worker by the second half into a buffer of its own, and C then adds that buffer as
    /// the second k-block would have been added (the same bits). Each thread then reads only its half of B's rows: for
    /// a B whose rows the two threads last wrote in those halves (the backward sweep's W), each row stays in its
    /// writer's cache instead of crossing to the other core.
    /// </para>
    /// </summary>
    public void Multiply(int m, int n, int k, Operand a, Operand b, float* c, nint ldc, Epilogue epilogue,
        PendingSgdStep step = default, bool byDepthHalves = false)
    {
        _m = m;
        _n = n;
        _k = k;
        _a = a;
        _b = b;
        _c = c;
        _ldc = ldc;
        _epilogue = epilogue;
        _step = step;
        _panels = (n + Nr - 1) / Nr;
        _kc = DepthBlock(m, b);
        _kBlocks = (k + _kc - 1) / _kc;
        bool inPlace = ReadsBInPlace(m, b);
        _firstPacked = inPlace ? n / Nr : 0;
        if (inPlace && ReadsNarrowBInPlace(n))
        {
            // the one panel too: no thread packs it, nor waits for the other to
            _firstPacked = 1;
        }

        (_tasksM, _tasksN, _rowsPerTask, _panelsPerTask) = Partition(m, n, k, _panels, ThreadsFor(m, n, k));
        _depthHalves = byDepthHalves && !step.Enabled && inPlace && SplitsDepth(m, n, k, _kc);
        if (_depthHalves)
        {
            // each of the two tasks takes all of C, for its own k-block
            (_tasksM, _tasksN, _rowsPerTask, _panelsPerTask) = (1, 1, m, _panels);
            _secondHalfData = _secondHalf.Get((nint)m * n);
        }
        _readsAInPlace = ReadsAInPlace(a, _tasksM, _tasksN);
        // where the threads split only C's columns and A costs a thread nothing to revisit (read in place, or small
        // enough to be packed whole once per call and thread), the columns go out in GuidedSplit's tasks, so that a
        // faster core takes more of them
        _call++;
        bool columnsOnly = _tasksM == 1 && _tasksN > 1;
        _wholeA = columnsOnly && (long)PaddedRows(m) * k <= (long)Mc * Kc;
        _guided = columnsOnly && (_wholeA || _readsAInPlace);
        _columnTasks = _guided ? GuidedSplit.Tasks(_tasksN) : _tasksN;
        // elsewhere two threads' column halves move with their measured speed: another task would pack A again
        _balanced = columnsOnly && !_guided && _tasksN == 2 && _panels >= BalancedMinPanels;
        var kind = (m, n, k, a.ColStride == 1, b.ColStride == 1);
        double share = _balanced && _callerShares.TryGetValue(kind, out double known) ? known : 0.5;
        _callerPanels = _balanced ? Math.Clamp((int)Math.Round(share * _panels), _panels - MostBalancedPanels(),
            MostBalancedPanels()) : 0;
        // a packed panel is read by every task of its columns: by one task, unless the rows of C are split too (always
        // so in the narrow path, which packs its one panel there)
        _sharesB = (_tasksM > 1 || _panels == 1) && _firstPacked < _panels;
        if (_sharesB)
        {
            _bPacked = _packedB.Get((nint)_panels * Nr * k);
        }
        else if (_firstPacked < _panels && _balanced)
        {
            // each task packs its panels where they lie in B, so the moving boundary needs no more than all of them
            _bPacked = _packedB.Get((nint)_panels * Nr * k);
        }
        else if (_firstPacked < _panels)
        {
            _ownRegion = Math.Max(_ownRegion, (nint)MostPackedPanelsOfATask() * Nr * k);
            _bPacked = _packedB.Get(_ownRegion * _pool.Threads);
        }
        else
        {
            _bPacked = null;
        }
        if (step.Enabled && !StepsB(inPlace, n, _tasksM))
        {
            _step = PendingSgdStep.None;
            throw new InvalidOperationException("this GEMM cannot take a step of B: check CanStepB first");
        }

        _panelsPerGroup = b.ColStride == 1 ? PanelsPerPackGroup : 1;
        _packGroups = (_panels - _firstPacked + _panelsPerGroup - 1) / _panelsPerGroup;
        int packUnits = _sharesB ? _kBlocks * _packGroups : 0;
        if (_packStates.Length < packUnits)
        {
            _packStates = new int[packUnits];
        }
        Array.Clear(_packStates, 0, packUnits);
        _taskEnds[0] = _taskEnds[1] = 0;
        _callStart = Stopwatch.GetTimestamp();
        if (_depthHalves)
        {
            _pool.Run(_computeJob, 2);
            _pool.Run(_addSecondHalfJob, 2);
        }
        else
        {
            _pool.Run(_computeJob, _tasksM * _columnTasks);
        }
        if (_balanced)
        {
            Rebalance(kind, share);
        }
        _step = PendingSgdStep.None;
    }

    // (for a B read in place) two equal k-blocks, whole panels only (none packed), and work enough for two threads
    private bool SplitsDepth(int m, int n, int k, int kc) =>
        n % Nr == 0 && n > Nr && k == 2 * kc && ThreadsFor(m, n, k) > 1;

    // a row-major B is read in place (its rows are the panels' steps) where that does not alias in the caches, or where
    // few rows of micro-tiles read each panel; a partial last panel is packed in any case
    private static bool ReadsBInPlace(int m, Operand b) =>
        b.ColStride == 1 && (b.RowStride % AliasingRowStride != 0 || m <= AliasedInPlaceRows);

    // A's whole 12-row micro-panels are read in place (MicroKernels.Kernel12 with InPlaceA) where every thread
    // would otherwise pack all of A (the threads splitting C's columns only), A is row-major and its rows do not alias
    // in the caches; a last partial micro-panel of each block of Mc rows is still packed. Measured on an AVX-512 Zen 5,
    // 2 threads, against packing: ×1.034 at 1024 × 784 → 1024, ×1.043 at 512 × 784 → 512, ×1.00 to ×1.02 elsewhere
    private static bool ReadsAInPlace(Operand a, int tasksM, int tasksN) =>
        Mr == 12 && tasksM == 1 && tasksN > 1 && a.ColStride == 1 && a.RowStride % AliasingRowStride != 0;

    // a C no wider than one vector reads a row-major B's steps where they lie, masked to its columns, rather than
    // packing them into a panel 2V wide that one thread writes and both then read: sigmoid-64's output layer,
    // 64 × 1024 → 10 on two threads of an AVX-512 Zen 5, took 13–19 µs alone instead of 23–30, 27–32 inside a step
    // instead of 43–57
    private static bool ReadsNarrowBInPlace(int n) => n <= TV.Count && (n == TV.Count || TV.MasksLanes);

    // the conditions of CanStepB, given where B is read from and how the rows of C are split
    private static bool StepsB(bool readsBInPlace, int n, int tasksM) =>
        readsBInPlace && n % Nr == 0 && n > Nr && tasksM == 1;

    private int ThreadsFor(int m, int n, int k) =>
        (long)m * n * k >= ParallelThreshold && _pool.Threads > 1 ? _pool.Threads : 1;

    // chooses tasksM × tasksN = threads rectangles of C with the smallest padded work per task
    private static (int TasksM, int TasksN, int RowsPerTask, int PanelsPerTask) Partition(int m, int n, int k,
        int panels, int threads)
    {
        int rowPanels = (m + Mr - 1) / Mr;
        long best = long.MaxValue;
        (int, int, int, int) chosen = default;
        for (int tm = 1; tm <= threads; tm++)
        {
            if (threads % tm != 0)
            {
                continue;
            }
            int tn = threads / tm;
            int rowsPer = (rowPanels + tm - 1) / tm, panelsPer = (panels + tn - 1) / tn;
            // splitting N makes each task pack the same rows of A again, splitting M makes each read all of B:
            // which costs more depends on which operand is the larger
            long work = (long)rowsPer * Mr * panelsPer * Nr;
            long cost = (work * 8) + ((tn > 1 ? (long)m * k * (tn - 1) : (long)k * n * (tm - 1)) / 4);
            if (cost < best)
            {
                best = cost;
                chosen = ((rowPanels + rowsPer - 1) / rowsPer, (panels + panelsPer - 1) / panelsPer, rowsPer * Mr,
                    panelsPer);
            }
        }
        return chosen;
    }

    // makes sure panel p of k-block kb is packed: packs its group if no thread has claimed it yet, else waits for the
    // thread that did (which packs it without waiting on anything, so this cannot deadlock)
    private void EnsurePacked(int kb, int p)
    {
        int group = (p - _firstPacked) / _panelsPerGroup;
        ref int state = ref _packStates[(kb * _packGroups) + group];
        if (Volatile.Read(ref state) == Packed)
        {
            return;
        }
        if (Interlocked.CompareExchange(ref state, BeingPacked, NotPacked) == NotPacked)
        {
            PackGroup(kb, group);
            Volatile.Write(ref state, Packed);
            return;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref state) != Packed)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void PackGroup(int kb, int group)
    {
        int p0 = _firstPacked + (group * _panelsPerGroup), p1 = Math.Min(_panels, p0 + _panelsPerGroup);
        int k0 = kb * _kc, depth = Math.Min(_kc, _k - k0);
        PackPanels(k0, depth, p0, p1, _bPacked + ((nint)k0 * _panels * Nr) + ((nint)p0 * depth * Nr));
    }

    // packs B's panels [p0, p1) of the k-block at k0, one after another from destination: whole panels of a row-major B
    // row by row, then a partial panel (zero-padded) or any other B's panel
    private void PackPanels(int k0, int depth, int p0, int p1, float* destination)
    {
        int whole = _b.ColStride == 1 ? Math.Max(0, Math.Min(p1, _n / Nr) - p0) : 0;
        if (whole > 0)
        {
            Packing.PackBRows(_b, k0, depth, p0 * Nr, whole, Nr, destination, (nint)depth * Nr);
        }
        for (int p = p0 + whole; p < p1; p++)
        {
            int j0 = p * Nr, columns = Math.Min(Nr, _n - j0);
            Packing.PackB(_b, k0, depth, j0, columns, Nr, destination + ((nint)(p - p0) * depth * Nr));
        }
    }

    // the most panels a thread's task takes where the split is balanced
    private int MostBalancedPanels() => 5 * _panels / 8;

    // the fewest panels split so (fewer leave no room between 3/8 and 5/8 of them)
    private const int BalancedMinPanels = 4;

    // the caller's share for the next call of this kind: the panels each task computed per tick since the call began
    // (so a worker that started late counts as slower), the share that would have ended both together, averaged with
    // the last share so that one noisy call moves it only halfway
    private void Rebalance((int, int, int, bool, bool) kind, double share)
    {
        long t0 = _taskEnds[0] - _callStart, t1 = _taskEnds[1] - _callStart;
        if (_taskEnds[0] == 0 || _taskEnds[1] == 0 || t0 <= 0 || t1 <= 0)
        {
            return;
        }
        double rate0 = _callerPanels / (double)t0, rate1 = (_panels - _callerPanels) / (double)t1;
        if (_callerShares.Count >= MaxBalancedKinds && !_callerShares.ContainsKey(kind))
        {
            _callerShares.Clear();
        }
        _callerShares[kind] = (share + (rate0 / (rate0 + rate1))) / 2;
    }

    // kinds of product whose shares are kept (a network's layers take a few each)
    private const int MaxBalancedKinds = 64;

    /// <summary>Rows rounded up to whole micro-panels, as <see cref="Packing.PackA"/> pads them.</summary>
    internal static int PaddedRows(int rows) => (rows + Mr - 1) / Mr * Mr;

    // panels [p0, p1) of column task t
    private (int P0, int P1) ColumnRange(int t)
    {
        if (_guided)
        {
            return (GuidedSplit.Start(_panels, _tasksN, t), GuidedSplit.Start(_panels, _tasksN, t + 1));
        }
        if (_balanced)
        {
            return t == 0 ? (0, _callerPanels) : (_callerPanels, _panels);
        }
        int p0 = t * _panelsPerTask;
        return (p0, Math.Min(_panels, p0 + _panelsPerTask));
    }

    // the most panels one column task packs into its thread's region
    private int MostPackedPanelsOfATask()
    {
        int most = 0;
        for (int t = 0; t < _columnTasks; t++)
        {
            (int p0, int p1) = ColumnRange(t);
            most = Math.Max(most, p1 - Math.Max(p0, _firstPacked));
        }
        return most;
    }

    private void Compute(int task, int worker)
    {
        // by depth halves, task t takes all of C for k-block t, the second into its own buffer
        int cell = _depthHalves ? 0 : task;
        int firstBlock = _depthHalves ? task : 0, endBlock = _depthHalves ? task + 1 : _kBlocks;
        float* cBase = _depthHalves && task == 1 ? _secondHalfData : _c;
        nint ldc = _depthHalves && task == 1 ? _n : _ldc;
        int i0 = cell / _columnTasks * _rowsPerTask, i1 = Math.Min(_m, i0 + _rowsPerTask);
        (int p0, int p1) = ColumnRange(cell % _columnTasks);
        if (i0 >= i1 || p0 >= p1)
        {
            return;
        }
        if (_panels == 1)
        {
            ComputeNarrow(i0, i1);
            return;
        }
        // a block of A as deep as this product's k-blocks are, not the deepest a k-block can be; or, where all of A
        // fits in as much, all of its blocks one after another, packed by the thread's first task of the call and kept
        // for its others
        float* aPacked = _packedA[worker].Get(_wholeA ? (nint)PaddedRows(_m) * _k : (nint)Mc * Math.Min(_kc, _k));
        bool packsA = !_wholeA || _aPackedInCall[worker] != _call;
        float* tile = _tiles[worker].Get((nint)Mr * Nr);
        int mr = Mr, nr = Nr;
        // without sharing, this task's packed panels go to this thread's region, each k-block's after the last's
        int firstOwn = Math.Max(p0, _firstPacked), ownPanels = p1 - firstOwn;
        float* ownB = _balanced ? _bPacked + ((nint)firstOwn * Nr * _k) : _bPacked + (worker * _ownRegion);
        for (int ic = i0; ic < i1; ic += Mc)
        {
            int mc = Math.Min(Mc, i1 - ic);
            for (int kb = firstBlock; kb < endBlock; kb++)
            {
                int k0 = kb * _kc, depth = Math.Min(_kc, _k - k0);
                bool accumulate = kb > firstBlock, last = kb == _kBlocks - 1 && !_depthHalves;
                // in place, only a last partial micro-panel is packed, where it would be in the packed block
                int inPlaceRows = _readsAInPlace ? mc / mr * mr : 0;
                float* aBlock = _wholeA ? aPacked + ((nint)(ic - i0) * _k) + ((nint)PaddedRows(mc) * k0) : aPacked;
                if (inPlaceRows < mc && packsA)
                {
                    Packing.PackA(_a, ic + inPlaceRows, mc - inPlaceRows, k0, depth, mr,
                        aBlock + ((nint)inPlaceRows * depth));
                }
                float* bBlock = _sharesB ? _bPacked + ((nint)k0 * _panels * nr) : ownB + ((nint)k0 * ownPanels * nr);
                int firstInBlock = _sharesB ? 0 : firstOwn;
                for (int p = p0; p < p1; p++)
                {
                    int j0 = p * nr, columns = Math.Min(nr, _n - j0);
                    bool direct = p < _firstPacked;
                    if (_sharesB && !direct)
                    {
                        EnsurePacked(kb, p);
                    }
                    else if (!direct && ic == i0 && (p - firstOwn) % _panelsPerGroup == 0)
                    {
                        PackPanels(k0, depth, p, Math.Min(p1, p + _panelsPerGroup),
                            bBlock + ((nint)(p - firstOwn) * depth * nr));
                    }
                    // this thread's first read of the block (only this thread reads it: CanStepB) steps it: in its
                    // first tile where that is a 12-row one, else in a pass of its own first
                    bool steps = _step.Enabled && ic == i0, stepsInTile = steps && KernelRows(Math.Min(mr, mc)) == 12;
                    if (steps && !stepsInTile)
                    {
                        StepB(k0, depth, j0);
                    }
                    float* bPanel = direct ? _b.Data + (k0 * _b.RowStride) + j0
                        : bBlock + ((nint)(p - firstInBlock) * depth * nr);
                    nint ldb = direct ? _b.RowStride : nr;
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int rows = Math.Min(mr, mc - ir);
                        float* c = cBase + ((ic + ir) * ldc) + j0;
                        PendingSgdStep tileStep = stepsInTile && ir == 0
                            ? new(_step.Gradient + (k0 * _b.RowStride) + j0, _step.LearningRate, _step.WeightDecay)
                            : PendingSgdStep.None;
                        if (ir < inPlaceRows)
                        {
                            RunTile(rows, columns, depth, _a.Data + ((ic + ir) * _a.RowStride) + k0, _a.RowStride,
                                bPanel, ldb, c, ldc, tile, accumulate, tileStep);
                        }
                        else
                        {
                            RunTile(rows, columns, depth, aBlock + ((nint)ir * depth), 0, bPanel, ldb, c, ldc, tile,
                                accumulate, tileStep);
                        }
                        if (last && _epilogue.Enabled)
                        {
                            float* bias = _epilogue.Bias == null ? null : _epilogue.Bias + j0;
                            Elementwise.BiasActivate<TV>(c, ldc, rows, bias, columns, _epilogue.Activation);
                        }
                    }
                }
            }
        }
        _aPackedInCall[worker] = _call;
        if (_balanced)
        {
            _taskEnds[task] = Stopwatch.GetTimestamp();
        }
    }

    // the pending SGD step of B's rows [k0, k0 + depth), columns [j0, j0 + Nr)
    private void StepB(int k0, int depth, int j0)
    {
        if (_step.WeightDecay == 0)
        {
            StepB<Undecayed>(k0, depth, j0);
        }
        else
        {
            StepB<Decayed>(k0, depth, j0);
        }
    }

    private void StepB<TDecay>(int k0, int depth, int j0) where TDecay : IWeightDecayTerm
    {
        nint stride = _b.RowStride;
        OptimizerOps.SgdBlock<TV, TDecay>(TV.Splat(_step.LearningRate), TV.Splat(_step.WeightDecay),
            _step.Gradient + (k0 * stride) + j0, stride, _b.Data + (k0 * stride) + j0, stride, depth, Nr);
    }

    // N ≤ Nr: C's rows in tiles of NarrowMicroKernel.Rows (OneVectorRows where N ≤ V), each taken through all k-blocks
    // while it is in L1, A read in place (no packing); every element still gets one chain per k-block, the chains added
    // to C in block order
    private void ComputeNarrow(int i0, int i1)
    {
        bool direct = _firstPacked > 0;
        nint ldb = direct ? _b.RowStride : Nr;
        bool oneVector = _n <= TV.Count;
        int tileRows = oneVector && TakesAdjacentRows(_a.RowStride) ? NarrowMicroKernel.AdjacentRows
            : oneVector ? NarrowMicroKernel.OneVectorRows : NarrowMicroKernel.Rows;
        for (int i = i0; i < i1; i += tileRows)
        {
            int rows = Math.Min(tileRows, i1 - i);
            float* c = _c + (i * _ldc);
            for (int kb = 0; kb < _kBlocks; kb++)
            {
                int k0 = kb * _kc, depth = Math.Min(_kc, _k - k0);
                if (!direct)
                {
                    EnsurePacked(kb, 0);
                }
                float* bPanel = direct ? _b.Data + (k0 * _b.RowStride) : _bPacked + ((nint)k0 * Nr);
                float* a = _a.Data + (i * _a.RowStride) + (k0 * _a.ColStride);
                if (oneVector && direct && _n < TV.Count)
                {
                    OneVectorTile<MaskedBSteps>(rows, depth, a, bPanel, ldb, c, kb > 0);
                }
                else if (oneVector)
                {
                    OneVectorTile<WholeBSteps>(rows, depth, a, bPanel, ldb, c, kb > 0);
                }
                else if (typeof(TV) == typeof(V256))
                {
                    Vector256NarrowMicroKernel.Kernel6(depth, a, _a.RowStride, _a.ColStride, bPanel, ldb, c, _ldc, rows,
                        _n, kb > 0);
                }
                else
                {
                    NarrowMicroKernel.Kernel6<TV>(depth, a, _a.RowStride, _a.ColStride, bPanel, ldb, c, _ldc, rows, _n,
                        kb > 0);
                }
            }
            if (_epilogue.Enabled)
            {
                Elementwise.BiasActivate<TV>(c, _ldc, rows, _epilogue.Bias, _n, _epilogue.Activation);
            }
        }
    }

    // whether a one-vector C takes 16-row tiles: A's rows next to each other (Xᵀ), and registers for 16 accumulators
    // (16 lanes: AVX-512's 32 registers)
    private static bool TakesAdjacentRows(nint aRowStride) => aRowStride == 1 && TV.Count == 16;

    // a tile of C no wider than one vector: 16 rows of an A with adjacent rows in one kernel, else 8 rows a kernel
    private void OneVectorTile<TB>(int rows, nint depth, float* a, float* b, nint ldb, float* c, bool accumulate)
        where TB : INarrowBSteps
    {
        if (rows == NarrowMicroKernel.AdjacentRows && TakesAdjacentRows(_a.RowStride))
        {
            NarrowMicroKernel.Kernel16AdjacentRows<TV, TB>(depth, a, _a.ColStride, b, ldb, c, _ldc, _n, accumulate);
            return;
        }
        for (int r = 0; r < rows; r += NarrowMicroKernel.OneVectorRows)
        {
            NarrowMicroKernel.Kernel8OneVector<TV, TB>(depth, a + (r * _a.RowStride), _a.RowStride, _a.ColStride, b,
                ldb, c + (r * _ldc), _ldc, Math.Min(NarrowMicroKernel.OneVectorRows, rows - r), _n, accumulate);
        }
    }

    // the rows of the kernel that computes a micro-tile of this many valid rows: with 12-row panels a last panel of
    // 4 or 8 rows (a batch of 64 leaves 4) takes a kernel of its own height rather than 12 rows, most of them padding
    internal static int KernelRows(int rows) => Mr == 12 && rows <= 8 ? (rows <= 4 ? 4 : 8) : Mr;

    internal static void RunKernel(int rows, nint depth, float* a, float* b, nint ldb, float* c, nint ldc,
        bool accumulate)
    {
        if (rows == 4)
        {
            MicroKernels.Kernel4<TV>(depth, a, Mr, b, ldb, c, ldc, accumulate);
        }
        else if (rows == 8)
        {
            MicroKernels.Kernel8<TV>(depth, a, Mr, b, ldb, c, ldc, accumulate);
        }
        else if (Mr == 12)
        {
            MicroKernels.Kernel12<TV, PackedA>(depth, a, b, ldb, c, ldc, accumulate, 0);
        }
        else if (typeof(TV) == typeof(V256))
        {
            Vector256MicroKernel.Kernel6(depth, a, b, ldb, c, ldc, accumulate);
        }
        else
        {
            MicroKernels.Kernel6<TV>(depth, a, b, ldb, c, ldc, accumulate);
        }
    }

    /// <summary>
    /// C's micro-tile of <paramref name="rows"/> × <paramref name="columns"/> (+)= A·B over <paramref name="depth"/>
    /// steps: straight into C where it is a whole tile of its kernel, else into <paramref name="tile"/> (Mr × Nr) and
    /// merged. A is a packed panel, or with <paramref name="inPlaceLda"/> &gt; 0 twelve whole rows of a row-major A
    /// read in place, that many floats apart. An enabled <paramref name="step"/> (a 12-row kernel's tile only, its
    /// gradient at this panel's first step) updates B's steps as the kernel reads them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RunTile(int rows, int columns, nint depth, float* a, nint inPlaceLda, float* b, nint ldb,
        float* c, nint ldc, float* tile, bool accumulate, PendingSgdStep step = default)
    {
        int kernelRows = KernelRows(rows);
        bool whole = rows == kernelRows && columns == Nr;
        float* target = whole ? c : tile;
        nint ldTarget = whole ? ldc : Nr;
        if (step.Enabled)
        {
            Debug.Assert(kernelRows == 12, "only the 12-row kernel takes a step");
            if (inPlaceLda > 0)
            {
                Kernel12Stepping<InPlaceA>(depth, a, b, ldb, target, ldTarget, whole && accumulate, inPlaceLda, step);
            }
            else
            {
                Kernel12Stepping<PackedA>(depth, a, b, ldb, target, ldTarget, whole && accumulate, 0, step);
            }
        }
        else if (inPlaceLda > 0)
        {
            MicroKernels.Kernel12<TV, InPlaceA>(depth, a, b, ldb, target, ldTarget, whole && accumulate, inPlaceLda);
        }
        else
        {
            RunKernel(kernelRows, depth, a, b, ldb, target, ldTarget, whole && accumulate);
        }
        if (!whole)
        {
            MergeTile(tile, Nr, c, ldc, rows, columns, accumulate);
        }
    }

    private static void Kernel12Stepping<TA>(nint depth, float* a, float* b, nint ldb, float* c, nint ldc,
        bool accumulate, nint lda, PendingSgdStep step) where TA : struct, IALayout
    {
        if (step.WeightDecay == 0)
        {
            MicroKernels.Kernel12<TV, TA, BAfterSgd<Undecayed>>(depth, a, b, ldb, c, ldc, accumulate, lda, step);
        }
        else
        {
            MicroKernels.Kernel12<TV, TA, BAfterSgd<Decayed>>(depth, a, b, ldb, c, ldc, accumulate, lda, step);
        }
    }

    private static void MergeTile(float* tile, nint ldt, float* c, nint ldc, int rows, int columns, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
        {
            float* from = tile + (r * ldt), to = c + (r * ldc);
            for (int j = 0; j < columns; j++)
            {
                to[j] = accumulate ? to[j] + from[j] : from[j];
            }
        }
    }

    // by depth halves: C += the second k-block's products, as the kernels add a later k-block, then the epilogue;
    // task t takes half of C's panels
    private void AddSecondHalf(int task)
    {
        int half = (_panels + 1) / 2 * Nr;
        int j0 = task == 0 ? 0 : half, j1 = task == 0 ? half : _n;
        float* bias = _epilogue.Bias == null ? null : _epilogue.Bias + j0;
        for (int r = 0; r < _m; r++)
        {
            float* c = _c + (r * _ldc), from = _secondHalfData + ((nint)r * _n);
            // whole vectors: the columns are whole panels
            for (int j = j0; j < j1; j += TV.Count)
            {
                TV.Store(TV.Load(from + j) + TV.Load(c + j), c + j);
            }
            if (_epilogue.Enabled)
            {
                Elementwise.BiasActivate<TV>(c + j0, bias, j1 - j0, _epilogue.Activation);
            }
        }
    }

    /// <summary>Frees the packing buffers.</summary>
    public void Dispose()
    {
        _packedB.Dispose();
        _secondHalf.Dispose();
        foreach (NativeArray array in _packedA.Concat(_tiles))
        {
            array.Dispose();
        }
    }

    private sealed class ComputeJob(Gemm<TV> owner) : IParallelJob
    {
        public void Execute(int task, int taskCount, int worker) => owner.Compute(task, worker);
    }

    private sealed class AddSecondHalfJob(Gemm<TV> owner) : IParallelJob
    {
        public void Execute(int task, int taskCount, int worker) => owner.AddSecondHalf(task);
    }
}
