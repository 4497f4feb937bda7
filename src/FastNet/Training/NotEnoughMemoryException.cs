namespace FastNet.Training;

/// <summary>
/// A run that would need more memory than is available, refused before anything large is allocated. It is an
/// <see cref="ArgumentException"/> because the sizes asked for (layers, batch, data) are what has to change.
/// </summary>
public sealed class NotEnoughMemoryException(string message) : ArgumentException(message);
