namespace FastNet.Data;

/// <summary>What a finished process gave back.</summary>
/// <param name="ExitCode">The process's exit status.</param>
/// <param name="Output">Its standard output followed by its standard error.</param>
public sealed record ProcessResult(int ExitCode, string Output);

/// <summary>Runs external programs (npm, apt-get, dpkg-deb) for <see cref="DatasetFetcher"/>; tests substitute a fake
/// that writes local files instead of downloading.</summary>
public interface IProcessRunner
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in
    /// <paramref name="workingDirectory"/> and waits for it to finish.</summary>
    /// <exception cref="DataFetchException">The program cannot be started.</exception>
    ProcessResult Run(string program, IReadOnlyList<string> arguments, string workingDirectory);
}
