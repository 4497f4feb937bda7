namespace FastNet.Distributed;

/// <summary>A data-parallel run cannot go on: MPI is missing or failed, or the ranks disagree (configuration, data,
/// parameters).</summary>
public sealed class DistributedException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public DistributedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public DistributedException()
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public DistributedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
