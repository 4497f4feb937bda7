using System.Linq.Expressions;

namespace FastNet.Kernels.Gpu;

/// <summary>
/// Counts one backend's kernel launches (<see cref="IDeviceCounters.KernelLaunches"/>) by decorating its launchers,
/// so no op counts by hand. The loaded launchers are shared by every backend on a device; each backend launches
/// through its own counting copies.
/// </summary>
internal sealed class LaunchCounter
{
    private long _launches;

    public long Launches => Interlocked.Read(ref _launches);

    /// <summary>
    /// <paramref name="launcher"/> with the same parameters, counting one launch each time it returns. Built as an
    /// expression so one method serves ILGPU's launchers of every arity and cuBLAS's calls alike.
    /// </summary>
    public TLauncher Counting<TLauncher>(TLauncher launcher)
        where TLauncher : Delegate
    {
        ParameterExpression[] arguments = [.. typeof(TLauncher).GetMethod(nameof(Action.Invoke))!.GetParameters()
            .Select(p => Expression.Parameter(p.ParameterType, p.Name))];
        BlockExpression launchThenCount = Expression.Block(
            Expression.Invoke(Expression.Constant(launcher), arguments),
            Expression.Call(Expression.Constant(this), nameof(CountOne), Type.EmptyTypes));
        return Expression.Lambda<TLauncher>(launchThenCount, arguments).Compile();
    }

    private void CountOne() => Interlocked.Increment(ref _launches);
}
