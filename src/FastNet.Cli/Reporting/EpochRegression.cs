using FastNet.Training;

namespace FastNet.Cli.Reporting;

/// <summary>A regression run's scores after an epoch: on the training set and on the evaluation set, if any.</summary>
internal sealed record EpochRegression(RegressionMetrics Train, RegressionMetrics? Evaluation);
