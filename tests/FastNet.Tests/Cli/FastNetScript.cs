using System.Diagnostics;

namespace FastNet.Tests.Cli;

/// <summary>Runs a bash script as a user would type it, with <c>fastnet</c> standing for the built command line.</summary>
internal static class FastNetScript
{
    /// <summary>Runs <paramref name="script"/> (set -e, pipefail) in <paramref name="directory"/>, with the data cache
    /// there too (never the user's); returns the exit code and standard output followed by standard error.</summary>
    public static (int Exit, string Output) Run(string directory, string script)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-s");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(directory, ".cache");
        start.Environment["FASTNET_CLI"] = typeof(FastNet.Cli.FastNetCli).Assembly.Location;
        using var process = Process.Start(start)!;
        process.StandardInput.Write("set -e -o pipefail\nfastnet() { dotnet \"$FASTNET_CLI\" \"$@\"; }\n" + script + "\n");
        process.StandardInput.Close();
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
