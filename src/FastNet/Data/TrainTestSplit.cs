namespace FastNet.Data;

/// <summary>A training set, an optional validation set and a test set.</summary>
/// <param name="Train">Examples to fit on.</param>
/// <param name="Validation">Examples to watch during training (early stopping, model choice), or null.</param>
/// <param name="Test">Held-out examples for the final score.</param>
public sealed record TrainTestSplit(Dataset Train, Dataset? Validation, Dataset Test);
