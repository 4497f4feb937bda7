using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FastNet.Tests.Cli;

/// <summary>The <c>fastnet</c> command line as a child process, for what only a process shows: signals, kill -9 and
/// two runs at once. Both streams are drained as they come, so the child never blocks on a full pipe.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly StringBuilder _output = new(), _error = new();

    private CliProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public static CliProcess Start(string workingDirectory, params string[] args)
    {
        // A test run started in the background by a non-interactive shell ignores SIGINT, and a child inherits that,
        // so fastnet would never see the tests' Ctrl-C; coreutils' env gives the child the default disposition back.
        bool restoreInterrupt = InterruptIgnored();
        var start = new ProcessStartInfo(restoreInterrupt ? "env" : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (restoreInterrupt)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
        }
        start.ArgumentList.Add(typeof(FastNet.Cli.FastNetCli).Assembly.Location);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var child = new CliProcess(new Process { StartInfo = start });
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.CompleteAdding();
                return;
            }
            lock (child._output)
            {
                child._output.AppendLine(e.Data);
            }
            child._lines.Add(e.Data);
        };
        child._process.ErrorDataReceived += (_, e) =>
        {
            lock (child._error)
            {
                child._error.AppendLine(e.Data);
            }
        };
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status); false where there is no
    /// /proc.</summary>
    private static bool InterruptIgnored()
    {
        const string field = "SigIgn:";
        if (!File.Exists("/proc/self/status"))
        {
            return false;
        }
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is not null
            && (ulong.Parse(line.AsSpan(field.Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0b10) != 0;
    }

    /// <summary>Waits for the <paramref name="count"/>th line of standard output that starts with
    /// <paramref name="prefix"/>; false when the process ends first or stays silent for a minute.</summary>
    public bool WaitForLine(string prefix, int count = 1)
    {
        while (count > 0)
        {
            if (!_lines.TryTake(out string? line, TimeSpan.FromMinutes(1)))
            {
                return false;
            }
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                count--;
            }
        }
        return true;
    }

    /// <summary>Sends a signal by name (INT, TERM) the way a shell or a scheduler does.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", [$"-{name}", Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Waits for the exit (a minute at most, far more than any run here needs) and returns its code.</summary>
    public int Exit()
    {
        if (!_process.WaitForExit(60_000))
        {
            KillHard();
            throw new TimeoutException($"fastnet did not exit\n{this}");
        }
        _process.WaitForExit(); // lets the output events finish
        return _process.ExitCode;
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public override string ToString()
    {
        lock (_output)
        {
            return $"--- output\n{_output}\n--- error\n{Error}";
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }
        _process.Dispose();
        _lines.Dispose();
    }
}
