namespace FastNet.Checkpoints;

/// <summary>A checkpoint file that cannot be used: truncated, altered, of another format or version.</summary>
public sealed class CheckpointFormatException(string message, Exception? inner = null) : Exception(message, inner);
