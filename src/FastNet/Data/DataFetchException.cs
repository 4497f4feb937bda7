namespace FastNet.Data;

/// <summary>A dataset could not be obtained: a download tool is missing or failed, or its output was not what a
/// package of that dataset holds. Corrupted files are reported as <see cref="DataFormatException"/> instead.</summary>
public sealed class DataFetchException : Exception
{
    /// <summary>A fetch failure described by <paramref name="message"/>.</summary>
    public DataFetchException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
