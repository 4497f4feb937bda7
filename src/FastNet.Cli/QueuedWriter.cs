using System.Text;

namespace FastNet.Cli;

/// <summary>
/// A text writer whose text is written to its stream by a thread of its own, so a reader that stops reading does not
/// stop the writer's callers. Under an MPI launcher a rank's standard output is a pseudo-terminal that the launcher
/// reads, and Open MPI's mpirun stops reading it for twice <c>odls_base_sigkill_timeout</c> while it ends a job
/// (SIGCONT, a wait, SIGTERM, a wait, SIGKILL): a rank writing epoch lines into the full terminal would block before
/// the step boundary where it stops and saves its checkpoint. Up to <see cref="Capacity"/> characters wait here; past
/// that the callers wait too. When the stream fails (the reader is gone) the text is dropped.
/// </summary>
internal sealed class QueuedWriter : TextWriter
{
    /// <summary>Characters held before callers wait: hours of epoch lines, a few MB at most.</summary>
    public const int Capacity = 1 << 20;

    private readonly Stream _stream;
    private readonly int _capacity;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private StringBuilder _pending = new(), _writing = new();
    private bool _busy, _closed, _broken;

    /// <summary>Starts the thread that writes to <paramref name="stream"/> (UTF-8, no byte order mark).</summary>
    public QueuedWriter(Stream stream, int capacity = Capacity)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _stream = stream;
        _capacity = capacity;
        _thread = new Thread(WriteAll) { IsBackground = true, Name = "fastnet output" };
        _thread.Start();
    }

    /// <inheritdoc />
    public override Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>True once the stream failed; the text since is dropped.</summary>
    public bool Broken
    {
        get
        {
            lock (_gate)
            {
                return _broken;
            }
        }
    }

    /// <inheritdoc />
    public override void Write(char value) => Append(new ReadOnlySpan<char>(in value));

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Append(buffer.AsSpan(index, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<char> buffer) => Append(buffer);

    /// <inheritdoc />
    public override void Write(string? value) => Append(value);

    /// <summary>Waits until the text written so far is in the stream (or dropped after a failure).</summary>
    public override void Flush()
    {
        lock (_gate)
        {
            while ((_pending.Length > 0 || _busy) && !_broken)
            {
                Monitor.Wait(_gate);
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
            lock (_gate)
            {
                _closed = true;
                Monitor.PulseAll(_gate);
            }
            _thread.Join();
        }
        base.Dispose(disposing);
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            while (_pending.Length > 0 && _pending.Length + text.Length > _capacity && !_broken)
            {
                Monitor.Wait(_gate);
            }
            if (!_broken)
            {
                _pending.Append(text);
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void WriteAll()
    {
        while (true)
        {
            lock (_gate)
            {
                while (_pending.Length == 0 && !_closed)
                {
                    Monitor.Wait(_gate);
                }
                if (_pending.Length == 0)
                {
                    return;
                }
                (_pending, _writing) = (_writing, _pending);
                _busy = true;
                Monitor.PulseAll(_gate); // callers waiting for room
            }
            byte[] bytes = Encoding.GetBytes(_writing.ToString());
            _writing.Clear();
            bool failed = false;
            try
            {
                _stream.Write(bytes);
                _stream.Flush();
            }
            catch (IOException)
            {
                failed = true; // the reader is gone: nobody is left to read the rest
            }
            lock (_gate)
            {
                _busy = false;
                if (failed)
                {
                    _broken = true;
                    _pending.Clear();
                }
                Monitor.PulseAll(_gate);
            }
        }
    }
}
