using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastNet.Tests.Data;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 for download tests: serves <see cref="Files"/> by path (404 otherwise),
/// honours <c>Range: bytes=N-</c> with 206 unless <see cref="IgnoreRange"/>, and can break responses off half-way
/// (the headers announce the whole length, then the connection closes).
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Thread _thread;
    private readonly ConcurrentDictionary<string, int> _truncations = new(StringComparer.Ordinal);

    public LoopbackHttpServer()
    {
        _listener.Start();
        _thread = new Thread(Serve) { IsBackground = true, Name = "loopback http" };
        _thread.Start();
    }

    /// <summary>The body served for each path, e.g. <c>/data/t10k-labels-idx1-ubyte.gz</c>.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Answer every request with the whole file (200), as a server without range support does.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Each request as "GET /path" plus " bytes=N-" when it asked for a range.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The base URL of <c>/data/</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/data/";

    /// <summary>The next <paramref name="times"/> responses for <paramref name="path"/> break off half-way.</summary>
    public void Truncate(string path, int times) => _truncations[path] = times;

    public void Dispose()
    {
        _listener.Stop();
        _thread.Join();
    }

    private void Serve()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = _listener.AcceptTcpClient();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            using (client)
            {
                try
                {
                    Answer(client.GetStream());
                }
                catch (IOException)
                {
                    // the client went away
                }
            }
        }
    }

    private void Answer(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        string[] requestLine = (reader.ReadLine() ?? "").Split(' ');
        long from = 0;
        bool ranged = false;
        for (string? line = reader.ReadLine(); !string.IsNullOrEmpty(line); line = reader.ReadLine())
        {
            if (line.StartsWith("Range: bytes=", StringComparison.OrdinalIgnoreCase) && line.EndsWith('-'))
            {
                ranged = true;
                from = long.Parse(line["Range: bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        string path = requestLine.Length > 1 ? requestLine[1] : "";
        Requests.Enqueue($"GET {path}" + (ranged ? $" bytes={from}-" : ""));
        if (!Files.TryGetValue(path, out byte[]? body))
        {
            Write(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        string status = "200 OK", range = "";
        if (ranged && !IgnoreRange)
        {
            status = "206 Partial Content";
            range = $"Content-Range: bytes {from}-{body.Length - 1}/{body.Length}\r\n";
            body = body[(int)from..];
        }
        Write(stream, $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\n{range}Connection: close\r\n\r\n");
        bool truncate = _truncations.TryGetValue(path, out int left) && left > 0 && _truncations.TryUpdate(path, left - 1, left);
        stream.Write(body, 0, truncate ? body.Length / 2 : body.Length);
        stream.Flush();
    }

    private static void Write(NetworkStream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));
}
