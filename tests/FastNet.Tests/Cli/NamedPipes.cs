using System.Diagnostics;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>Named pipes that hold a run at a known point (reading its input, or writing a file) while a test signals
/// it.</summary>
internal static class NamedPipes
{
    /// <summary>Makes a named pipe at <paramref name="path"/>.</summary>
    public static async Task Make(string path)
    {
        using Process mkfifo = Process.Start("mkfifo", [path])!;
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>Opening a named pipe waits for the other end: a run that ends first fails the test here instead of
    /// hanging it.</summary>
    public static async Task<T> BeforeExit<T>(Task<T> opening, Task<int> exit, CliProcess run)
    {
        if (await Task.WhenAny(opening, exit) == exit)
        {
            Assert.Fail($"the run ended (exit {await exit}) before it opened the pipe\n{run}");
        }
        return await opening;
    }
}
