using System.Text;

namespace FastNet.Cli;

/// <summary>
/// A text writer whose text is written to its stream by a thread of its own, so a reader that stops reading does not
/// stop the writer's callers. Under an MPI launcher a rank's standard output is a pseudo-terminal that the launcher
/// reads, and Open MPI's mpirun stops reading it for twice <c>odls_base_sigkill_timeout</c> while it ends a job
/// (SIGCONT, a wait, SIGTERM, a wait, SIGKILL): a rank writing epoch lines into the full terminal would block before
/// the step boundary where it stops and saves its checkpoint. Up to <see cref="Capacity"/> characters wait here; text
/// past that is dropped, never waited for, and a line says how much once the reader reads again (mpirun loses what
/// ranks print while it ends a job anyway). When the stream fails (the reader is gone) all text is dropped.
/// </summary>
internal sealed class QueuedWriter : TextWriter
{
    /// <summary>Characters held for a reader that does not read: about a minute of the shortest epochs' lines, 2 MB at
    /// most.</summary>
    public const int Capacity = 1 << 20;

    private readonly Stream _stream;
    private readonly int _capacity;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private StringBuilder _pending = new(), _writing = new();
    private long _dropped; // characters dropped since the queue was last taken, all after what it holds
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
            if (_broken)
            {
                return;
            }
            if (_dropped > 0 || (_pending.Length > 0 && _pending.Length + text.Length > _capacity))
            {
                _dropped += text.Length; // once dropping, until the queue is taken, so what is kept stays in order
                return;
            }
            _pending.Append(text);
            Monitor.PulseAll(_gate);
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
                if (_dropped > 0)
                {
                    _pending.Append(System.Globalization.CultureInfo.InvariantCulture,
                        $"[fastnet: {_dropped} characters of output dropped: nothing read them]{NewLine}");
                    _dropped = 0;
                }
                (_pending, _writing) = (_writing, _pending);
                _busy = true;
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
