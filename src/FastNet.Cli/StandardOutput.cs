using System.Runtime.InteropServices;

namespace FastNet.Cli;

/// <summary>Whether standard output takes writes. A shell's <c>&gt;&amp;-</c> closes it; the runtime's own files then
/// take the lowest free descriptor, 1, opened for reading, and the first line printed failed with the runtime's bare
/// "Access to the path is denied" (help with a stack trace), after the work was done.</summary>
internal static class StandardOutput
{
    private const int GetStatusFlags = 3; // F_GETFL, the same on Linux and macOS
    private const int AccessModes = 3, ReadOnly = 0; // O_ACCMODE, O_RDONLY

    public static bool IsWritable()
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }
        int flags = Fcntl(1, GetStatusFlags);
        return flags != -1 && (flags & AccessModes) != ReadOnly;
    }

    [DllImport("libc", EntryPoint = "fcntl")]
    private static extern int Fcntl(int descriptor, int command);
}
