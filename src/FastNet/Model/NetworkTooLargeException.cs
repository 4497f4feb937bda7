namespace FastNet.Model;

/// <summary>
/// A network with more parameters than one flat vector can index (<see cref="int.MaxValue"/>). It is an
/// <see cref="ArgumentException"/> because the sizes asked for are at fault; <see cref="Layer"/> says which size was
/// the largest involved, so a file reader can name the field.
/// </summary>
public sealed class NetworkTooLargeException : ArgumentException
{
    /// <summary>A network too large, with <paramref name="message"/> saying why.</summary>
    public NetworkTooLargeException(string message, int? layer) : base(message)
    {
        Layer = layer;
    }

    /// <summary>The layer whose unit count is the size at fault, or null when it is the number of inputs.</summary>
    public int? Layer { get; }
}
