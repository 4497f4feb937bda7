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
/// Tasks are handed out dynamically, so jobs must make every task's result independent of which thread runs it
/// (they do: no task reduces into another's output), which keeps results deterministic. Workers spin briefly between
/// jobs, since ops arrive back to back during training, then sleep. Nothing is allocated per job.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private const int SpinIterations = 20_000;

    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private IParallelJob? _job;
    private int _taskCount;
    private int _nextTask;
    private int _pending;
    private long _generation;
    private int _sleepers;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Starts <paramref name="threads"/> − 1 workers (the caller is the last thread).</summary>
    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _threads = new Thread[threads - 1];
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

    /// <summary>Runs tasks 0 … <paramref name="taskCount"/> − 1 of <paramref name="job"/> and waits for all.</summary>
    public void Run(IParallelJob job, int taskCount)
    {
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

        _job = job;
        _taskCount = taskCount;
        _nextTask = 0;
        _failure = null;
        Volatile.Write(ref _pending, _threads.Length);
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }

        RunTasks(0);

        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
        _job = null;
        _failure?.Throw();
    }

    private void RunTasks(int worker)
    {
        IParallelJob job = _job!;
        int count = _taskCount;
        try
        {
            for (int t = Interlocked.Increment(ref _nextTask) - 1; t < count; t = Interlocked.Increment(ref _nextTask) - 1)
            {
                job.Execute(t, count, worker);
            }
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            // let the other threads drain the remaining tasks quickly
            Volatile.Write(ref _nextTask, count);
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
            RunTasks(worker);
            Interlocked.Decrement(ref _pending);
        }
    }

    private long WaitForJob(long seen)
    {
        for (int i = 0; i < SpinIterations; i++)
        {
            long generation = Volatile.Read(ref _generation);
            if (generation != seen || _disposed)
            {
                return generation;
            }
            Thread.SpinWait(20);
        }
        lock (_gate)
        {
            Interlocked.Increment(ref _sleepers);
            try
            {
                while (Volatile.Read(ref _generation) == seen && !_disposed)
                {
                    Monitor.Wait(_gate);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _sleepers);
            }
            return Volatile.Read(ref _generation);
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
