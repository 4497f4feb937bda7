using System.Buffers.Binary;
using FastNet.Data;
using Xunit;

namespace FastNet.Tests.Data;

/// <summary>NumPy .npy and .npz files load as datasets; every malformed file is refused naming the file and what
/// was expected, before anything the size of its declared shape is allocated.</summary>
public class NumpyDataTests
{
    private static readonly float[] Features = [0.5f, -1.25f, 3f, 1e-7f, 2f, 0.1f];

    [Fact]
    public void Float32FeaturesWithIntegerLabelsAreAClassificationSet()
    {
        using var dir = new TempDirectory();
        string x = dir.Write("x.npy", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features)));
        string y = dir.Write("y.npy", NpyFiles.Npy("<i8", [3], NpyFiles.Int64(2, 0, 1)));

        Dataset data = NumpyData.Load(x, y);

        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(Features, data.Features);
        Assert.Equal([2, 0, 1], data.Labels!);
        Assert.Equal(3, data.ClassCount);
    }

    [Fact]
    public void Float64IsRoundedToFloat32AndImagesAreFlattenedPerRow()
    {
        using var dir = new TempDirectory();
        double[] values = [.. Enumerable.Range(0, 2 * 3 * 3).Select(i => i / 3.0)];
        string x = dir.Write("x.npy", NpyFiles.Npy("<f8", [2, 3, 3], NpyFiles.Float64(values)));
        string y = dir.Write("y.npy", NpyFiles.Npy("|u1", [2], [1, 0]));

        Dataset data = NumpyData.Load(x, y, classCount: 4);

        Assert.Equal(9, data.FeatureCount);
        Assert.Equal(values.Select(v => (float)v), data.Features);
        Assert.Equal(4, data.ClassCount);
    }

    [Theory]
    [InlineData("|u1")]
    [InlineData("|b1")]
    public void ByteImagesStayBytesAndReadBackAsTheSameFloats(string descr)
    {
        using var dir = new TempDirectory();
        byte[] pixels = descr == "|b1" ? [1, 0, 0, 1, 1, 0, 1, 1] : [0, 255, 7, 128, 1, 254, 31, 64];
        string x = dir.Write("x.npy", NpyFiles.Npy(descr, [2, 2, 2], pixels));
        string y = dir.Write("y.npy", NpyFiles.Npy("|u1", [2], [1, 0]));

        Dataset data = NumpyData.Load(x, y);

        Assert.True(data.IsCompact); // a quarter of the memory of float32
        Assert.Equal(4, data.FeatureCount);
        Assert.Equal(pixels.Select(p => (float)p), data.Features);
        Assert.Equal([1, 0], data.Labels!);
    }

    [Fact]
    public void WiderIntegerFeaturesAreFloats()
    {
        using var dir = new TempDirectory();
        string x = dir.Write("x.npy", NpyFiles.Npy("<i8", [2, 2], NpyFiles.Int64(1, 2, 300, -4)));
        string y = dir.Write("y.npy", NpyFiles.Npy("|u1", [2], [1, 0]));

        Dataset data = NumpyData.Load(x, y);

        Assert.False(data.IsCompact);
        Assert.Equal([1f, 2f, 300f, -4f], data.Features);
    }

    [Fact]
    public void FloatLabelsAreRealValuedTargetsOneColumnPerTarget()
    {
        using var dir = new TempDirectory();
        string x = dir.Write("x.npy", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features)));
        string y = dir.Write("y.npy", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(1, 2, 3, 4, 5, 6)));

        Dataset data = NumpyData.Load(x, y);

        Assert.False(data.IsClassification);
        Assert.Equal(2, data.TargetCount);
        Assert.Equal([1f, 2, 3, 4, 5, 6], data.Targets);
    }

    [Theory]
    [InlineData(false, "x", "y")]
    [InlineData(true, "X", "labels")]
    public void AnNpzArchiveHoldsFeaturesAndLabels(bool compressed, string featureName, string labelName)
    {
        using var dir = new TempDirectory();
        string npz = dir.Write("d.npz", NpyFiles.Npz(compressed,
            (featureName, NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features), major: 2)),
            (labelName, NpyFiles.Npy("<i8", [3], NpyFiles.Int64(1, 1, 0)))));

        Dataset data = NumpyData.Load(npz, null);

        Assert.Equal(Features, data.Features);
        Assert.Equal([1, 1, 0], data.Labels!);
    }

    public static TheoryData<string, byte[], string> BadFeatureFiles() => new()
    {
        { "magic", [.. "PK\u0003\u0004 not numpy"u8], "not a NumPy .npy file" },
        { "truncated", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features))[..^5], "truncated: shape (3, 2) of <f4 needs 24 bytes of data, the file has 19" },
        { "trailing", [.. NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features)), 0, 0, 0, 0], "trailing bytes" },
        { "huge", NpyFiles.Npy("<f4", [2000000000, 1000], NpyFiles.Float32(Features)), "needs 8000000000000 bytes of data, the file has 24" },
        { "beyond a long", NpyFiles.Npy("<f4", [65536, 65536, 65536, 65536], NpyFiles.Float32(Features)), "needs 73786976294838206464 bytes of data, the file has 24" },
        { "fortran", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features), fortran: true), "Fortran order" },
        { "complex", NpyFiles.Npy("<c8", [3, 1], NpyFiles.Float32(Features)), "element type \"<c8\"" },
        { "nan", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(0, 1, float.NaN, 3, 4, 5)), "element 2 is NaN" },
        { "overflow", NpyFiles.Npy("<f8", [1, 1], NpyFiles.Float64(1e300)), "element 0 is Infinity as float32" },
        { "version", [.. NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features)).Select((b, i) => i == 6 ? (byte)9 : b)], "format version 9.0" },
        { "header", [.. NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features)).Select((b, i) => i == 11 ? (byte)'"' : b)], "header is not a dict" },
        // what the file holds is quoted on one line, its control characters escaped
        { "control", NpyFiles.Npy("<c8\r\u001b", [3, 1], NpyFiles.Float32(Features)), "element type \"<c8\\r\\u001b\": expected" },
        { "newline", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features)).Select((b, i) => i == 11 ? (byte)'\n' : b).ToArray(), "layout: \"{\\n" },
    };

    [Theory]
    [MemberData(nameof(BadFeatureFiles))]
    public void AMalformedNpyFileIsRefusedNamingItAndWhatWasExpected(string name, byte[] bytes, string expected)
    {
        using var dir = new TempDirectory();
        string x = dir.Write(name + ".npy", bytes);
        string y = dir.Write("y.npy", NpyFiles.Npy("<i8", [3], NpyFiles.Int64(0, 1, 0)));

        DataFormatException e = Assert.Throws<DataFormatException>(() => NumpyData.Load(x, y));

        Assert.Contains(name + ".npy", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsThatDoNotMatchTheFeaturesAreRefused()
    {
        using var dir = new TempDirectory();
        string x = dir.Write("x.npy", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features)));

        string fewer = dir.Write("fewer.npy", NpyFiles.Npy("<i8", [2], NpyFiles.Int64(0, 1)));
        Assert.Contains("expected 3 rows", Assert.Throws<DataFormatException>(() => NumpyData.Load(x, fewer)).Message, StringComparison.Ordinal);

        string negative = dir.Write("negative.npy", NpyFiles.Npy("<i8", [3], NpyFiles.Int64(0, -1, 0)));
        DataFormatException e = Assert.Throws<DataFormatException>(() => NumpyData.Load(x, negative));
        Assert.Contains("negative.npy", e.Message, StringComparison.Ordinal);
        Assert.Contains("label -1 of row 1 is out of range", e.Message, StringComparison.Ordinal);

        string tooHigh = dir.Write("high.npy", NpyFiles.Npy("<i8", [3], NpyFiles.Int64(0, 5, 0)));
        Assert.Contains("expected 0..1 (2 classes)", Assert.Throws<DataFormatException>(() => NumpyData.Load(x, tooHigh, 2)).Message, StringComparison.Ordinal);

        Assert.Contains("--labels", Assert.Throws<DataFormatException>(() => NumpyData.Load(x, null)).Message, StringComparison.Ordinal);
    }

    // numpy.load reads the last of two members of one name; FastNet's zip reader would take the first, a different
    // array (here 3 rows where NumPy sees 2), so the archive is refused, naming the member.
    [Theory]
    [InlineData("x", false)]
    [InlineData("x", true)]
    [InlineData("y", true)]
    public void AnArchiveHoldingAMemberTwiceIsRefusedNamingIt(string twice, bool compressed)
    {
        using var dir = new TempDirectory();
        byte[] x = NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features));
        byte[] y = NpyFiles.Npy("<i8", [3], NpyFiles.Int64(0, 1, 0));
        byte[] other = twice == "x" ? NpyFiles.Npy("<f4", [2, 3], NpyFiles.Float32(Features))
            : NpyFiles.Npy("<i8", [3], NpyFiles.Int64(1, 1, 1));
        string npz = dir.Write("d.npz", NpyFiles.Npz(compressed, ("x", x), ("y", y), (twice, other)));

        DataFormatException e = Assert.Throws<DataFormatException>(() => NumpyData.Load(npz, null));

        Assert.Equal($"{npz}:{twice}.npy: the archive holds two members of this name; expected one (numpy.load would read the last)",
            e.Message);
    }

    // .NET's zip reader does not check a member's CRC-32: a flipped bit in a stored member would read as another
    // number (numpy.load refuses it: "Bad CRC-32")
    [Fact]
    public void AStoredMemberWhoseBytesDoNotMatchItsCrcIsRefused()
    {
        using var dir = new TempDirectory();
        byte[] x = NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features));
        byte[] bytes = NpyFiles.Npz(false, ("x", x), ("y", NpyFiles.Npy("<i8", [3], NpyFiles.Int64(0, 1, 0))));
        string intact = dir.Write("intact.npz", bytes);
        Assert.Equal(Features, NumpyData.Load(intact, null).Features);
        int at = bytes.AsSpan().IndexOf(x) + x.Length - 2; // within the last feature's bytes
        bytes[at] ^= 1;
        string npz = dir.Write("d.npz", bytes);

        DataFormatException e = Assert.Throws<DataFormatException>(() => NumpyData.Load(npz, null));

        Assert.StartsWith($"{npz}:x.npy: CRC-32 mismatch: the member reads as ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("; the archive is corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnArchiveWithoutTheArraysListsWhatItHolds()
    {
        using var dir = new TempDirectory();
        string npz = dir.Write("d.npz", NpyFiles.Npz(false, ("inputs", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features)))));
        DataFormatException e = Assert.Throws<DataFormatException>(() => NumpyData.Load(npz, null));
        Assert.Contains("d.npz", e.Message, StringComparison.Ordinal);
        Assert.Contains("no features array", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds inputs", e.Message, StringComparison.Ordinal);

        string notZip = dir.Write("bad.npz", [1, 2, 3, 4]);
        Assert.Contains("not an .npz archive", Assert.Throws<DataFormatException>(() => NumpyData.Load(notZip, null)).Message, StringComparison.Ordinal);
    }

    // The npy header declares 2e9 bytes, and so does the zip's directory: only the archive's own size gives it away.
    [Fact]
    public void AMemberDeclaringMoreThanTheArchiveCanHoldIsRefusedBeforeAllocation()
    {
        using var dir = new TempDirectory();
        const long Declared = 2_000_000_000;
        byte[] x = NpyFiles.Npy("|u1", [(int)Declared], [1, 2, 3]);
        byte[] bytes = NpyFiles.Npz(true, ("x", x), ("y", NpyFiles.Npy("<i8", [3], NpyFiles.Int64(0, 1, 0))));
        uint size = (uint)(x.Length - 3 + Declared);
        // x.npy is the first member: its local header's and its central directory entry's uncompressed sizes.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), size);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.AsSpan().IndexOf("PK\u0001\u0002"u8) + 24), size);
        string npz = dir.Write("d.npz", bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        DataFormatException e = Assert.Throws<DataFormatException>(() => NumpyData.Load(npz, null));

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 << 20);
        Assert.StartsWith($"{npz}:x.npy: the archive declares {size} bytes for this member", e.Message, StringComparison.Ordinal);
    }

    // A zip reader given a stream it cannot seek in copies all of it into memory first: through a named pipe, as much
    // as the writer sends. The archive is opened as every loader opens its files, so a pipe is refused at once.
    [Fact]
    public async Task AnArchiveThroughANamedPipeIsRefusedWithoutReadingIt()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var dir = new TempDirectory();
        string npz = dir.File("piped.npz");
        using (System.Diagnostics.Process mkfifo = System.Diagnostics.Process.Start("mkfifo", [npz]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        // The writer sends 64 MiB unless the reader closes the pipe first (the write then fails: the reader is gone).
        Task writer = Task.Run(() =>
        {
            try
            {
                using var pipe = new FileStream(npz, FileMode.Open, FileAccess.Write);
                byte[] chunk = new byte[1 << 20];
                for (int i = 0; i < 64; i++)
                {
                    pipe.Write(chunk);
                }
            }
            catch (IOException)
            {
            }
        });

        long before = GC.GetAllocatedBytesForCurrentThread();
        DataFormatException e = Assert.Throws<DataFormatException>(() => NumpyData.Load(npz, null));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // a loader that never opened the pipe leaves the writer waiting in open(): fail, do not hang the suite
        await writer.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal($"{npz}: an .npz archive must be a regular file, not a pipe", e.Message);
        Assert.InRange(allocated, 0, 16 << 20);
    }

    [Fact]
    public void AnArchiveWhoseDirectoryMiscountsItsEntriesIsRefusedNamingIt()
    {
        using var dir = new TempDirectory();
        byte[] bytes = NpyFiles.Npz(true, ("x", NpyFiles.Npy("<f4", [3, 2], NpyFiles.Float32(Features))),
            ("y", NpyFiles.Npy("<i8", [3], NpyFiles.Int64(0, 1, 0))));
        // The end-of-central-directory record's entry counts (this disk's and the total) claim a third member.
        int end = bytes.AsSpan().LastIndexOf("PK\u0005\u0006"u8);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 8), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 10), 3);
        string npz = dir.Write("d.npz", bytes);

        DataFormatException e = Assert.Throws<DataFormatException>(() => NumpyData.Load(npz, null));

        Assert.StartsWith(npz, e.Message, StringComparison.Ordinal);
        Assert.Contains("not an .npz archive", e.Message, StringComparison.Ordinal);
    }
}
