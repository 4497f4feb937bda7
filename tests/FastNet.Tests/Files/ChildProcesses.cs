using System.Diagnostics;

namespace FastNet.Tests.Files;

/// <summary>Process ids for the temporary-file tests: one of a process that has ended, one of a process that runs.</summary>
internal static class ChildProcesses
{
    public static int EndedId()
    {
        using var ended = Process.Start("true")!;
        ended.WaitForExit();
        return ended.Id;
    }

    /// <summary>A process that sleeps until disposed of.</summary>
    public static Process Sleeping() => Process.Start("sleep", "600")!;
}
