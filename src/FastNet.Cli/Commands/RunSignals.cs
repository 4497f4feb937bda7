using System.Runtime.InteropServices;

namespace FastNet.Cli.Commands;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM (what schedulers and <c>docker stop</c> send) ask a training run to stop at the next
/// batch boundary and save its checkpoint. Signals that follow are absorbed, so a second Ctrl-C cannot cut the save
/// short; the exit code is 128 + the first signal's number, as a shell reports a process that the signal ended.
/// </summary>
internal sealed class RunSignals : IDisposable
{
    private const int SigInt = 2, SigTerm = 15;

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly TextWriter _error;
    private int _first;

    public RunSignals(TextWriter error)
    {
        _error = error;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, SigInt)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, SigTerm)),
        ];
    }

    /// <summary>Canceled by the first signal.</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM.</summary>
    public int ExitCode => 128 + (_first == 0 ? SigInt : _first);

    /// <summary>The first signal's name, for messages.</summary>
    public string Name => _first == SigTerm ? "SIGTERM" : "SIGINT";

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context, int number)
    {
        context.Cancel = true; // the run ends itself, after saving
        if (Interlocked.CompareExchange(ref _first, number, 0) != 0)
        {
            _error.WriteLine("fastnet: already stopping: finishing the batch and saving the checkpoint");
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
