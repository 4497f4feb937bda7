using System.Text;
using FastNet.Cli;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary>A rank's standard output under mpirun: writing never waits for a reader that has stopped reading (mpirun
/// while it ends a job); the text arrives whole and in order up to the writer's capacity, past it a line says how much
/// was dropped; a reader that is gone drops the text instead of failing the run.</summary>
public class QueuedWriterTests
{
    // Bounds the wait for something that must happen, so a broken writer fails the test instead of hanging it.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LinesWrittenWhileTheReaderIsStoppedReturnAndArriveInOrder()
    {
        using var stream = new GatedStream();
        using var writer = new QueuedWriter(stream);
        try
        {
            Task writes = Task.Run(() =>
            {
                for (int i = 0; i < 1000; i++)
                {
                    writer.WriteLine($"epoch {i}/1000  loss 0.5  ü");
                }
            });
            await writes.WaitAsync(HangGuard); // throws when the writes wait for a reader that reads nothing
        }
        finally
        {
            stream.Open();
        }
        await Task.Run(writer.Flush).WaitAsync(HangGuard);
        var expected = new StringBuilder();
        for (int i = 0; i < 1000; i++)
        {
            expected.Append($"epoch {i}/1000  loss 0.5  ü").Append(Environment.NewLine);
        }
        Assert.Equal(expected.ToString(), stream.Text);
    }

    [Fact]
    public async Task PastItsCapacityTextIsDroppedNotWaitedForAndALineSaysHowMuch()
    {
        using var stream = new GatedStream();
        using var writer = new QueuedWriter(stream, capacity: 10);
        try
        {
            writer.Write("0123456789"); // taken by the writing thread, which then waits at the gate
            Assert.True(SpinWait.SpinUntil(() => stream.Waiting, HangGuard), "nothing reached the stream");
            await Task.Run(() =>
            {
                writer.Write("abcdefghij"); // fills the queue
                writer.Write("klm"); // dropped
                writer.Write("n"); // dropped too, though it would fit: what is kept stays in order
            }).WaitAsync(HangGuard);
        }
        finally
        {
            stream.Open();
        }
        await Task.Run(writer.Flush).WaitAsync(HangGuard);
        writer.Write("after");
        await Task.Run(writer.Flush).WaitAsync(HangGuard);
        Assert.Equal("0123456789abcdefghij[fastnet: 4 characters of output dropped: nothing read them]"
            + Environment.NewLine + "after", stream.Text);
    }

    [Fact]
    public void AReaderThatIsGoneDropsTheTextWithoutFailingTheWriter()
    {
        using var stream = new GatedStream { Fails = true };
        using var writer = new QueuedWriter(stream);
        stream.Open();
        writer.WriteLine("first");
        writer.Flush();
        Assert.True(writer.Broken);
        writer.WriteLine("second");
        writer.Flush();
        Assert.Equal("", stream.Text);
    }

    /// <summary>A stream whose writes wait until <see cref="Open"/>, like a terminal nobody reads, or fail.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly ManualResetEventSlim _gate = new();
        private readonly MemoryStream _written = new();
        private volatile bool _waiting;

        public bool Fails { get; init; }

        public bool Waiting => _waiting;

        public string Text
        {
            get
            {
                lock (_written)
                {
                    return Encoding.UTF8.GetString(_written.ToArray());
                }
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Open() => _gate.Set();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _waiting = true;
            _gate.Wait();
            if (Fails)
            {
                throw new IOException("Input/output error");
            }
            lock (_written)
            {
                _written.Write(buffer, offset, count);
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _gate.Set();
                _gate.Dispose();
                _written.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
