using System.Diagnostics;

namespace FastNet.Cli.Commands;

/// <summary>Runs this program again with other arguments and returns what it printed; tests give their own.</summary>
internal interface IFastNetRunner
{
    /// <summary>The exit code and both output streams of <c>fastnet <paramref name="args"/></c>.</summary>
    (int ExitCode, string Output, string Error) Run(IReadOnlyList<string> args);
}

/// <summary>Starts this program's own executable as a new process: the built apphost, or the dotnet host with this
/// program's assembly when it was started as <c>dotnet FastNet.Cli.dll</c>.</summary>
internal sealed class ChildProcess : IFastNetRunner
{
    /// <inheritdoc />
    public (int ExitCode, string Output, string Error) Run(IReadOnlyList<string> args)
    {
        string executable = Environment.ProcessPath ?? throw new InvalidOperationException("this process's executable is unknown");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        // read both streams at once, so a child that fills one pipe never waits on the other
        Task<string> error = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return (child.ExitCode, output, error.GetAwaiter().GetResult());
    }
}
