using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace FastNet.Kernels.Simd;

/// <summary>Work split into independent tasks; <see cref="Execute"/> may run on any thread, in any order.</summary>
internal interface IParallelJob
{
    /// <summary>Runs task <paramref name="task"/> of <paramref name="taskCount"/> on thread <paramref name="worker"/>
    /// (0 is the caller).</summary>
    void Execute(int task, int taskCount, int worker);
}

/// <summary>
/// Persistent worker threads that run one <see cref="IParallelJob"/> at a time together with the calling thread.
/// Tasks are claimed dynamically, so jobs must make every task's result independent of which thread runs it (they do:
/// no task reduces into another's output), which keeps results deterministic. The caller claims tasks from the first
/// up and the workers from the last down, so with two threads task 0 stays on the caller and the last task on the
/// worker from one job to the next: the part of a matrix a thread wrote in one op is the part it works on in the next,
/// and its cache lines stay in that core (a store to a line the other core has read waits for that core to drop it,
/// 10× a plain store on an AVX-512 Zen 5). The caller never waits for a worker that has not started: if the workers
/// are slow to wake (a busy machine), the caller simply runs every task itself. Workers spin briefly between jobs,
/// since ops arrive back to back during training, then sleep. Nothing is allocated per job; what the workers do
/// allocate is counted (<see cref="WorkersAllocatedBytes"/>), so a test can hold every thread of a step to that.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private const int SpinMicroseconds = 200;
    // tasks of one job, counted in 16 bits of _state
    private const int MaxTasks = ushort.MaxValue;

    private readonly Thread[] _threads;
    // each worker's GC.GetAllocatedBytesForCurrentThread, written by that worker at the end of each job
    private readonly long[] _workerAllocatedBytes;
    private readonly object _gate = new();
    private IParallelJob? _job;
    private int _taskCount;
    // changed atomically: the generation of the current job (high 32 bits), then the unclaimed tasks, from the lowest
    // (bits 0–15) up to one past the highest (bits 16–31); none are left when they meet, as in a closed job
    private long _state;
    private int _active;
    private int _sleepers;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Starts <paramref name="threads"/> − 1 workers (the caller is the last thread).</summary>
    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _threads = new Thread[threads - 1];
        _workerAllocatedBytes = new long[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker))
            {
                IsBackground = true,
                Name = $"FastNet SIMD worker {worker}",
            };
            _threads[i].Start();
        }
    }

    /// <summary>Threads that run a job, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Managed bytes the workers (not the caller) have allocated since they started, as each stood at the
    /// end of its last job: after <see cref="Run"/> returns, that job's allocations included.</summary>
    public long WorkersAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _workerAllocatedBytes.Length; i++)
            {
                sum += Volatile.Read(ref _workerAllocatedBytes[i]);
            }
            return sum;
        }
    }

    /// <summary>Runs tasks 0 … <paramref name="taskCount"/> − 1 of <paramref name="job"/> and waits for all.</summary>
    public void Run(IParallelJob job, int taskCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(taskCount, MaxTasks);
        if (taskCount <= 0)
        {
            return;
        }
        if (taskCount == 1 || _threads.Length == 0)
        {
            for (int t = 0; t < taskCount; t++)
            {
                job.Execute(t, taskCount, 0);
            }
            return;
        }

        // the state is closed here, so no straggler from the last job can claim a task while the fields change
        _job = job;
        _taskCount = taskCount;
        _failure = null;
        long generation = (Volatile.Read(ref _state) >> 32) + 1;
        Interlocked.Exchange(ref _state, (generation << 32) | ((long)taskCount << 16));
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }

        RunTasks(generation, 0);

        // every task is claimed: close the job, then wait only for the tasks still running
        Interlocked.Exchange(ref _state, generation << 32);
        var spin = new SpinWait();
        while (Volatile.Read(ref _active) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
        _job = null;
        _failure?.Throw();
    }

    private void RunTasks(long generation, int worker)
    {
        bool fromTop = worker != 0;
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if (state >> 32 != generation)
            {
                return;
            }
            int lowest = (int)(state & 0xFFFF), end = (int)((state >> 16) & 0xFFFF);
            // read before the claim: a successful claim proves the job had not been closed and replaced
            IParallelJob? job = _job;
            int count = _taskCount;
            if (lowest >= end || job is null)
            {
                return;
            }
            int task = fromTop ? end - 1 : lowest;
            long claimed = fromTop ? state - (1L << 16) : state + 1;
            if (Interlocked.CompareExchange(ref _state, claimed, state) != state)
            {
                continue;
            }
            try
            {
                job.Execute(task, count, worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            long generation = WaitForJob(seen);
            if (_disposed)
            {
                return;
            }
            seen = generation;
            Interlocked.Increment(ref _active);
            RunTasks(generation, worker);
            // before the decrement that Run waits for, so the caller reads this job's allocations
            Volatile.Write(ref _workerAllocatedBytes[worker - 1], GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Decrement(ref _active);
        }
    }

    private long WaitForJob(long seen)
    {
        // poll tightly (a job usually follows within microseconds during training), then sleep
        long deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 1_000_000 * SpinMicroseconds);
        for (int i = 0; ; i++)
        {
            long generation = Volatile.Read(ref _state) >> 32;
            if (generation != seen || _disposed)
            {
                return generation;
            }
            Thread.SpinWait(1);
            if ((i & 255) == 255 && Stopwatch.GetTimestamp() > deadline)
            {
                break;
            }
        }
        lock (_gate)
        {
            Interlocked.Increment(ref _sleepers);
            try
            {
                while (Volatile.Read(ref _state) >> 32 == seen && !_disposed)
                {
                    Monitor.Wait(_gate);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _sleepers);
            }
            return Volatile.Read(ref _state) >> 32;
        }
    }

    /// <summary>Stops the workers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }
    }
}
