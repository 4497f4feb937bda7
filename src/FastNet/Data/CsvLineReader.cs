namespace FastNet.Data;

/// <summary>
/// Reads lines as <see cref="TextReader.ReadLine"/> does (ending at \n, \r\n or \r), but refuses a line longer than a
/// limit, so a file without line breaks (binary data, one endless line) fails after a bounded read instead of being
/// gathered into one enormous string.
/// </summary>
internal sealed class CsvLineReader(TextReader reader, string name, int maxLength)
{
    private char[] _buffer = new char[Math.Min(maxLength + 2, 1 << 14)];
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>1-based number of the line last returned.</summary>
    public int Line { get; private set; }

    /// <summary>The next line without its line break, or null at the end.</summary>
    /// <exception cref="DataFormatException">The line is longer than the limit.</exception>
    public string? ReadLine()
    {
        int scanned = 0; // characters after _start known to hold no line break
        while (true)
        {
            int found = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOfAny('\r', '\n');
            int at = _start + scanned + found;
            // A \r at the end of what is buffered may be the first half of \r\n: fetch the next character first.
            if (found >= 0 && !(_buffer[at] == '\r' && at + 1 == _end && !_ended))
            {
                string line = new(_buffer, _start, at - _start);
                _start = at + 1;
                if (_buffer[at] == '\r' && _start < _end && _buffer[_start] == '\n')
                {
                    _start++;
                }
                Line++;
                return line;
            }
            scanned = (found >= 0 ? at : _end) - _start;
            if (scanned > maxLength)
            {
                throw new DataFormatException(name, $"the line is longer than the limit of {maxLength} characters",
                    line: Line + 1);
            }
            if (_ended)
            {
                if (_start == _end)
                {
                    return null;
                }
                string last = new(_buffer, _start, _end - _start);
                _start = _end;
                Line++;
                return last;
            }
            Fill();
        }
    }

    // Moves the unread characters to the front, grows the buffer when they fill it, and reads more.
    private void Fill()
    {
        int unread = _end - _start;
        if (unread == _buffer.Length)
        {
            // ReadLine has thrown before a full buffer reaches maxLength + 2.
            char[] larger = new char[(int)Math.Min(2L * _buffer.Length, maxLength + 2L)];
            _buffer.AsSpan(_start, unread).CopyTo(larger);
            _buffer = larger;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, unread).CopyTo(_buffer);
        }
        _start = 0;
        _end = unread;
        int read = reader.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        _ended = read == 0;
    }
}
