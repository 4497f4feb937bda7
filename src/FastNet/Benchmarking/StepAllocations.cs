using FastNet.Kernels;
using FastNet.Kernels.Simd;

namespace FastNet.Benchmarking;

/// <summary>
/// Managed bytes a training step allocates on the thread that runs it and, given the backend, on the backend's worker
/// threads (<see cref="SimdBackend.WorkerThreadsAllocatedBytes"/>), as a benchmark reports them: the fewest bytes a
/// step over consecutive windows of at least <see cref="WindowSteps"/> timed steps (the mean over all of them when
/// fewer were timed). A step that allocates dirties every window. The runtime can bill one-off work of its own to the
/// thread, such as a method's move to optimized code when a loaded machine delays it past the warm-up; that lands in
/// one window and no later one, so it does not make a step that allocates nothing read as one that does.
/// </summary>
/// <param name="backend">The backend the steps run on, whose worker threads are counted too; null for the calling
/// thread alone.</param>
public sealed class StepAllocations(IBackend? backend = null)
{
    /// <summary>The fewest steps a window counts before it closes.</summary>
    public const int WindowSteps = 200;

    private long _last, _windowBytes, _windowSteps, _allBytes, _allSteps;
    private double _cleanest = double.PositiveInfinity;
    private bool _started;
    private readonly SimdBackend? _workers = backend as SimdBackend;

    /// <summary>Bytes per step in the cleanest closed window, else the mean over every step counted.</summary>
    public double BytesPerStep => !double.IsPositiveInfinity(_cleanest) ? _cleanest
        : _allSteps == 0 ? 0 : (double)_allBytes / _allSteps;

    /// <summary>What the thread allocates from now until the next <see cref="Mark"/> is not a step's (set-up between
    /// timed stretches, such as the start of an epoch); the current window goes on after it.</summary>
    public void Pause() => _started = false;

    /// <summary>Counts <paramref name="steps"/> steps taken since the previous mark (with what they allocated), unless
    /// the stretch since then was paused.</summary>
    public void Mark(int steps = 1)
    {
        long now = GC.GetAllocatedBytesForCurrentThread() + (_workers?.WorkerThreadsAllocatedBytes ?? 0);
        if (_started)
        {
            long bytes = now - _last;
            _allBytes += bytes;
            _allSteps += steps;
            _windowBytes += bytes;
            _windowSteps += steps;
            if (_windowSteps >= WindowSteps)
            {
                _cleanest = Math.Min(_cleanest, (double)_windowBytes / _windowSteps);
                _windowBytes = 0;
                _windowSteps = 0;
            }
        }
        _last = now;
        _started = true;
    }
}
