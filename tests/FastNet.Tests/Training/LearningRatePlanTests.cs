using FastNet.Data;
using FastNet.Kernels;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// The learning rates of a run are given to the optimizer clock when it is made: the step, cosine and poly schedules
/// count in the run's epochs and steps, the trainer reports the rate the clock took, and it refuses a network whose
/// clock was made for other rates than its options say.
/// </summary>
public class LearningRatePlanTests
{
    private static readonly OptimizerSettings Sgd = new() { Kind = OptimizerKind.Sgd, LearningRate = 0.1 };

    // 8 examples in batches of 4: 2 steps an epoch, 4 in the run
    private static TrainingOptions Options(string schedule) =>
        new(2, 4, Shuffle: false, Seed: 1) { Schedule = LearningRateSchedule.Parse(schedule, 0) };

    private static double[] Rates(LearningRatePlan plan, int steps)
    {
        var clock = new OptimizerClock(Sgd, plan);
        return [.. Enumerable.Range(0, steps).Select(_ => clock.Next().LearningRate)];
    }

    [Fact]
    public void TheStepScheduleCountsTheRunsEpochs()
    {
        LearningRatePlan plan = Options("step:1:0.5").LearningRates(trainCount: 8);
        Assert.Equal((2, 4L), (plan.StepsPerEpoch, plan.TotalSteps));
        Assert.Equal([0.1, 0.1, 0.05, 0.05], Rates(plan, 4));
    }

    [Fact]
    public void TheCosineScheduleFallsOverTheRunsSteps()
    {
        double[] rates = Rates(Options("cosine").LearningRates(trainCount: 8), 4);
        // η(1 + cos(π·s/S))/2 for s = 0..3 of S = 4
        double[] expected = [0.1, 0.1 * (1 + Math.Sqrt(0.5)) / 2, 0.05, 0.1 * (1 - Math.Sqrt(0.5)) / 2];
        for (int s = 0; s < 4; s++)
        {
            Assert.Equal(expected[s], rates[s], 1e-15);
        }
    }

    [Fact]
    public void ThePolynomialScheduleFallsOverTheRunsSteps()
    {
        double[] rates = Rates(Options("poly:2").LearningRates(trainCount: 8), 4);
        // η(1 − s/S)² for s = 0..3 of S = 4
        double[] expected = [0.1, 0.1 * 9 / 16, 0.1 / 4, 0.1 / 16];
        for (int s = 0; s < 4; s++)
        {
            Assert.Equal(expected[s], rates[s], 1e-15);
        }
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("cosine")]
    [InlineData("step:3:0.25")]
    [InlineData("poly:2")]
    [InlineData("poly:0.5")]
    public void ASchedulesTextReadsBackAsTheSameSchedule(string text)
    {
        // checkpoints store the schedule as this text
        LearningRateSchedule schedule = LearningRateSchedule.Parse(text, warmupSteps: 5);
        Assert.Equal(text, schedule.ToString());
        Assert.Equal(schedule, LearningRateSchedule.Parse(schedule.ToString(), 5));
    }

    [Theory]
    [InlineData("poly")]
    [InlineData("poly:0")]
    [InlineData("poly:-1")]
    [InlineData("poly:two")]
    [InlineData("poly:Infinity")]
    [InlineData("poly:2:1")]
    public void AMalformedPolynomialScheduleIsRefused(string text)
    {
        var e = Assert.Throws<FormatException>(() => LearningRateSchedule.Parse(text, 0));
        Assert.Contains($"\"{text}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("poly:POWER", e.Message, StringComparison.Ordinal);
    }

    // an infinite factor made every rate after the first step Infinity, and the run diverge as if --lr were too high
    [Theory]
    [InlineData("step:1:Infinity")]
    [InlineData("step:2:1e400")]
    [InlineData("step:1:NaN")]
    [InlineData("step:0:0.5")]
    public void AMalformedStepScheduleIsRefused(string text)
    {
        var e = Assert.Throws<FormatException>(() => LearningRateSchedule.Parse(text, 0));
        Assert.Contains($"\"{text}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("step:EPOCHS:GAMMA", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AClockMadeWithoutAPlanTakesTheBaseRateAtEveryStep() =>
        Assert.Equal([0.1, 0.1, 0.1], Rates(LearningRatePlan.Constant, 3));

    [Fact]
    public void PlansAgreeWhenEveryStepGetsTheSameRate()
    {
        Assert.True(LearningRatePlan.Constant.SameRatesAs(Options("constant").LearningRates(trainCount: 1000)));
        Assert.True(Options("cosine").LearningRates(8).SameRatesAs(Options("cosine").LearningRates(7)));
        Assert.False(Options("cosine").LearningRates(8).SameRatesAs(Options("cosine").LearningRates(9)));
        Assert.False(Options("step:1:0.5").LearningRates(8).SameRatesAs(Options("step:1:0.5").LearningRates(9)));
        Assert.True(Options("poly:2").LearningRates(8).SameRatesAs(Options("poly:2").LearningRates(7)));
        Assert.False(Options("poly:2").LearningRates(8).SameRatesAs(Options("poly:2").LearningRates(9)));
        Assert.False(Options("poly:2").LearningRates(8).SameRatesAs(Options("poly:3").LearningRates(8)));
        Assert.False(LearningRatePlan.Constant.SameRatesAs(Options("step:1:0.5").LearningRates(8)));
        Assert.False(LearningRatePlan.Constant.SameRatesAs(
            (Options("constant") with { LinearScalingBase = 2 }).LearningRates(8)));
    }

    [Fact]
    public void TheTrainerReportsTheRateOfEachEpochsLastStep()
    {
        Dataset data = GradientAccumulationTests.Blobs(8);
        TrainingOptions options = Options("step:1:0.5");
        using IBackend backend = Backends.Create("reference");
        using var network = new TrainingNetwork(backend, GradientAccumulationTests.Initial(LossKind.SoftmaxCrossEntropy),
            LossKind.SoftmaxCrossEntropy, Sgd, 4, rates: options.LearningRates(data.Count));
        using var trainer = new Trainer(network, data, null, options);
        var reports = new List<EpochReport>();
        Assert.True(trainer.Run(reports.Add));
        Assert.Equal([0.1, 0.05], reports.Select(r => r.LearningRate));
    }

    [Fact]
    public void TheTrainerRefusesANetworkMadeForOtherRates()
    {
        Dataset data = GradientAccumulationTests.Blobs(8);
        using IBackend backend = Backends.Create("reference");
        using var network = new TrainingNetwork(backend, GradientAccumulationTests.Initial(LossKind.SoftmaxCrossEntropy),
            LossKind.SoftmaxCrossEntropy, Sgd, 4);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(network, data, null, Options("cosine")));
        Assert.Contains("learning rates", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, network.Optimizer.Steps);
    }
}
