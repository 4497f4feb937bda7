using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="WorkerPool.WorkersAllocatedBytes"/> counts what the workers allocate, so that a training step's
/// allocations are held to zero on every thread it runs on, not only the caller's.
/// </summary>
public class WorkerPoolAllocationTests
{
    private const int ArrayBytes = 4000;

    [Fact]
    public void WhatAWorkerAllocatesDuringAJobIsCountedWhenTheJobReturns()
    {
        using var pool = new WorkerPool(2);
        var job = new AllocatingJob(waitsForWorker: true) { AllocatesOnWorker = false };
        job.RunOn(pool); // the worker's first job also counts what starting the thread allocated on it
        long before = pool.WorkersAllocatedBytes;
        int tasksBefore = job.WorkerTasks;
        job.AllocatesOnWorker = true;

        job.RunOn(pool);

        int tasks = job.WorkerTasks - tasksBefore;
        Assert.InRange(tasks, 1, 2);
        Assert.Equal(tasks * ArrayBytes, pool.WorkersAllocatedBytes - before);
    }

    [Fact]
    public void WhatTheCallerAllocatesIsNotAWorkersAndAPoolOfOneThreadHasNoWorkers()
    {
        using var two = new WorkerPool(2);
        var job = new AllocatingJob(waitsForWorker: true) { AllocatesOnWorker = false };
        job.RunOn(two);
        long before = two.WorkersAllocatedBytes;
        int callerTasksBefore = job.CallerTasks;

        for (int i = 0; i < 20; i++)
        {
            job.RunOn(two);
        }

        Assert.True(job.CallerTasks > callerTasksBefore, "the caller ran none of the tasks");
        Assert.Equal(before, two.WorkersAllocatedBytes);
        using var one = new WorkerPool(1);
        var alone = new AllocatingJob(waitsForWorker: false);
        alone.RunOn(one);
        Assert.Equal((0, 2), (alone.WorkerTasks, alone.CallerTasks));
        Assert.Equal(0, one.WorkersAllocatedBytes);
    }

    // two tasks; a task on the worker allocates an array of ArrayBytes unless told not to, a task on the caller always
    // does, and where it waits for the worker, it returns only once the worker has run a task of this job
    private sealed class AllocatingJob(bool waitsForWorker) : IParallelJob
    {
        private volatile bool _workerRan;

        public bool AllocatesOnWorker { get; set; } = true;
        public int WorkerTasks { get; private set; }
        public int CallerTasks { get; private set; }
        public byte[]? Kept { get; private set; }

        public void RunOn(WorkerPool pool)
        {
            _workerRan = false;
            pool.Run(this, 2);
        }

        public void Execute(int task, int taskCount, int worker)
        {
            if (worker != 0)
            {
                WorkerTasks++;
                if (AllocatesOnWorker)
                {
                    Kept = new byte[ArrayBytes - 24]; // its header makes the array ArrayBytes on a 64-bit runtime
                }
                _workerRan = true;
                return;
            }
            CallerTasks++;
            Kept = new byte[ArrayBytes];
            if (waitsForWorker)
            {
                SpinWait.SpinUntil(() => _workerRan);
            }
        }
    }
}
