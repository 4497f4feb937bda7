namespace FastNet.Tests.Fuzzing;

/// <summary>A symbolic link to /dev/zero, a file that reports a size of 0 and yields zeros without end.</summary>
internal static class DevZero
{
    /// <summary>True where the system has /dev/zero (Linux, macOS).</summary>
    public static bool Exists => !OperatingSystem.IsWindows() && File.Exists("/dev/zero");

    /// <summary>Creates the link at <paramref name="path"/> and returns the path.</summary>
    public static string LinkAt(string path)
    {
        File.CreateSymbolicLink(path, "/dev/zero");
        return path;
    }
}
