namespace FastNet.Training;

/// <summary>
/// The learning rate of every step of one run: <see cref="Schedule"/> applied to the base rate times
/// <see cref="Scale"/> (linear scaling), in a run of <see cref="StepsPerEpoch"/> steps an epoch and
/// <see cref="TotalSteps"/> in all, which the step, cosine and poly schedules count in. An optimizer clock is made with it
/// (<see cref="OptimizerClock"/>); <see cref="TrainingOptions.LearningRates"/> makes the plan of a run.
/// </summary>
/// <param name="Schedule">How η changes with the step.</param>
/// <param name="Scale">The factor the base rate is multiplied by before the schedule.</param>
/// <param name="StepsPerEpoch">Optimizer steps in one epoch.</param>
/// <param name="TotalSteps">Optimizer steps in the whole run.</param>
public sealed record LearningRatePlan(LearningRateSchedule Schedule, double Scale, int StepsPerEpoch, long TotalSteps)
{
    /// <summary>The base rate at every step.</summary>
    public static LearningRatePlan Constant { get; } = new(new LearningRateSchedule(), 1, 1, 1);

    /// <summary>η of step <paramref name="t"/> (1-based) for the base rate <paramref name="baseRate"/>.</summary>
    public double At(double baseRate, long t) => Schedule.At(Scale * baseRate, t, StepsPerEpoch, TotalSteps);

    /// <summary>Whether both plans give every step the same rate: the run's length matters only to the schedule that
    /// counts in it (epochs for step, all steps for cosine and poly), so a constant plan fits a run of any length.</summary>
    public bool SameRatesAs(LearningRatePlan other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Schedule == other.Schedule && Scale == other.Scale
            && (Schedule.Kind != ScheduleKind.Step || StepsPerEpoch == other.StepsPerEpoch)
            && (Schedule.Kind is not (ScheduleKind.Cosine or ScheduleKind.Polynomial) || TotalSteps == other.TotalSteps);
    }

    /// <summary>The schedule with its warm-up and scale, for messages.</summary>
    public override string ToString() => System.FormattableString.Invariant(
        $"{Schedule}, warm-up {Schedule.WarmupSteps} steps, scale {Scale:G4}, {StepsPerEpoch} steps an epoch, {TotalSteps} in all");
}
