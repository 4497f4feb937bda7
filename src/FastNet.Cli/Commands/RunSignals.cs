using System.Runtime.InteropServices;

namespace FastNet.Cli.Commands;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM (what schedulers and <c>docker stop</c> send) ask a command to stop where it can end
/// cleanly: a training run at the next batch boundary, after saving its checkpoint; an output file's write before
/// the file replaces its target (see <see cref="InterruptibleOutput"/>). Signals that follow are absorbed until the
/// process ends, so a second Ctrl-C cannot cut that ending short; the exit code is 128 + the first signal's number,
/// as a shell reports a process that the signal ended.
/// </summary>
internal sealed class RunSignals : IDisposable
{
    private const int SigInt = 2, SigTerm = 15;

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly TextWriter _error;
    private readonly string _stopping;
    private int _first;

    /// <param name="error">Where a second signal is answered.</param>
    /// <param name="stopping">What the command does once stopped, for that answer ("saving the checkpoint").</param>
    public RunSignals(TextWriter error, string stopping)
    {
        _error = error;
        _stopping = stopping;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, SigInt)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, SigTerm)),
        ];
    }

    /// <summary>Canceled by the first signal.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM; 130 on a rank that stopped at another rank's signal.</summary>
    public int ExitCode => 128 + (_first == 0 ? SigInt : _first);

    /// <summary>The first signal's name, for messages; a rank that got none stopped at another rank's.</summary>
    public string Name => _first switch
    {
        SigTerm => "SIGTERM",
        SigInt => "SIGINT",
        _ => "a signal to another rank",
    };

    // the registrations of a run that was asked to stop, kept until the process ends
    private static RunSignals? s_stopping;

    public void Dispose()
    {
        if (Volatile.Read(ref _first) != 0)
        {
            // The process ends with the stop's status. A launcher can pass a signal on to one rank after the ranks
            // agreed to stop at another's; ended by that signal, the rank looks crashed, and the launcher kills the
            // others, rank 0 while it saves. So the registrations stay, absorbing signals, until the process ends.
            s_stopping = this;
            return;
        }
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context, int number)
    {
        context.Cancel = true; // the command ends itself, after cleaning up
        if (Interlocked.CompareExchange(ref _first, number, 0) != 0)
        {
            if (s_stopping != this)
            {
                _error.WriteLine($"fastnet: already stopping: {_stopping}");
            }
            return;
        }
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the run has ended already
        }
    }
}
