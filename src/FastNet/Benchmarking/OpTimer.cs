using FastNet.Kernels;

namespace FastNet.Benchmarking;

/// <summary>Where one workload's training step went on one host backend: the step's time and each kind of op's
/// share of it, per step, over <paramref name="Steps"/> timed steps.</summary>
/// <param name="Workload">What was timed.</param>
/// <param name="Backend">Where.</param>
/// <param name="StepTime">One step, as the timed steps ran with their ops timed.</param>
/// <param name="Steps">Steps timed.</param>
/// <param name="Ops">Each kind of op over all the timed steps, the most time first.</param>
public sealed record OpBreakdown(Workload Workload, string Backend, TimeSpan StepTime, long Steps,
    IReadOnlyList<OpTiming> Ops);

/// <summary>
/// Times a workload's training steps as <see cref="WorkloadTimer"/> does, with every op of the backend timed from its
/// call to its return (<see cref="OpTimingBackend"/>), counting only the timed steps: what the step loses against its
/// products shows as the time outside the dense ops and as products running below the machine's peak.
/// </summary>
public static class OpTimer
{
    /// <summary>One repeat of at least <paramref name="seconds"/> of <paramref name="workload"/>'s steps on the host
    /// backend <paramref name="backend"/>.</summary>
    public static OpBreakdown Run(IBackend backend, Workload workload, double seconds, ILoadSampler? load = null)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var timing = new OpTimingBackend(backend);
        WorkloadResult result = WorkloadTimer.Run(timing, workload, 1, seconds, load, timing);
        return new OpBreakdown(workload, backend.Name, TimeSpan.FromSeconds(workload.Batch / result.SamplesPerSecond),
            result.Steps, timing.Ops);
    }
}
