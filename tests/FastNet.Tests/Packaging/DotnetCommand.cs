using System.Diagnostics;

namespace FastNet.Tests.Packaging;

/// <summary>Runs the real <c>dotnet</c> (or another program) as a child process, with what <c>dotnet test</c> sets
/// for its own build removed from the environment, and a private NuGet package folder so that packages packed by
/// an earlier run under the same version are never taken from the cache.</summary>
internal static class DotnetCommand
{
    public static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments, string directory,
        string packageCache)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["NUGET_PACKAGES"] = packageCache;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>The repository root (the folder holding FastNet.sln) above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastNet.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no FastNet.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The build configuration the tests were built in (Release or Debug), read off the assembly's path.</summary>
    public static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Debug" : "Release";
}
