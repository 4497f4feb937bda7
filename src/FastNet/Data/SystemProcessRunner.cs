using System.ComponentModel;
using System.Diagnostics;

namespace FastNet.Data;

/// <summary>Runs real processes, found on the PATH, with their output captured and their messages untranslated:
/// <see cref="DatasetFetcher"/> recognizes some of them (apt's "Unable to locate package"), and FastNet's own
/// messages, which quote them, are in English.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    /// <inheritdoc/>
    public ProcessResult Run(string program, IReadOnlyList<string> arguments, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Under LC_ALL=C gettext ignores LANGUAGE as well; the tools run here print ASCII package and file names.
        start.Environment["LC_ALL"] = "C";
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using Process process = Process.Start(start)
                ?? throw new DataFetchException($"cannot start {program}");
            // Drain both pipes at once: a child blocked on a full stderr pipe would never exit.
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return new ProcessResult(process.ExitCode, output.GetAwaiter().GetResult() + errors);
        }
        catch (Win32Exception e)
        {
            throw new DataFetchException($"cannot run {program} ({e.Message}): is it installed and on the PATH?", e);
        }
    }
}
