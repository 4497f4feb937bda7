using FastNet.Data;
using Xunit;

namespace FastNet.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsRawOrGzip(bool gzip)
    {
        byte[] images = IdxFiles.Images(3, 2, 3, i => (byte)(i * 13));
        byte[] labels = IdxFiles.Labels(2, 0, 1);
        string imagesPath = _dir.Write("img", gzip ? IdxFiles.Gzip(images) : images);
        string labelsPath = _dir.Write("lab", gzip ? IdxFiles.Gzip(labels) : labels);

        Dataset data = IdxReader.Load(imagesPath, labelsPath, classCount: 3);
        Assert.Equal(3, data.Count);
        Assert.Equal(6, data.FeatureCount);
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (float)(byte)(i * 13)), data.Features);
        Assert.Equal([2, 0, 1], data.Labels!);
        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f, 0f, 1f, 0f], data.Targets);
        IdxImages raw = IdxReader.ReadImages(imagesPath);
        Assert.Equal((3, 2, 3), (raw.Count, raw.Rows, raw.Columns));
    }

    [Fact]
    public void WrongMagicNamesBothNumbers()
    {
        string path = _dir.Write("swapped", IdxFiles.Labels(1, 2));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: expected the IDX images magic 0x00000803, found 0x00000801 (a labels file)", e.Message);
        string text = _dir.Write("text", "hello world, not idx"u8.ToArray());
        e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(text));
        Assert.Equal($"{text}: expected the IDX labels magic 0x00000801, found 0x68656c6c", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedImagesNameExpectedAndActualSize(bool gzip)
    {
        byte[] images = IdxFiles.Images(4, 3, 3)[..^5];
        string path = _dir.Write("img.gz", gzip ? IdxFiles.Gzip(images) : images);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: truncated: expected 52 bytes (4 images of 3×3), found 47", e.Message);
    }

    [Fact]
    public void TruncatedHeaderAndTrailingBytes()
    {
        string shortFile = _dir.Write("short", IdxFiles.Images(1, 2, 2)[..10]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(shortFile));
        Assert.Equal($"{shortFile}: truncated: expected a 16-byte header, found 10 bytes", e.Message);

        string tiny = _dir.Write("tiny", [0, 0]);
        e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(tiny));
        Assert.Contains("truncated: expected at least 4 bytes", e.Message);

        string longFile = _dir.Write("long", [.. IdxFiles.Labels(1, 2), 9]);
        e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(longFile));
        Assert.Equal($"{longFile}: trailing bytes: expected 10 bytes (2 labels), found 11", e.Message);
    }

    [Fact]
    public void CountMismatchBetweenImagesAndLabels()
    {
        string images = _dir.Write("img", IdxFiles.Images(3, 2, 2));
        string labels = _dir.Write("lab", IdxFiles.Labels(1, 2));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Load(images, labels));
        Assert.Equal($"{labels}: 2 labels, but {images} holds 3 images", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheRecord()
    {
        string images = _dir.Write("img", IdxFiles.Images(3, 2, 2));
        string labels = _dir.Write("lab", IdxFiles.Labels(1, 2, 10));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Load(images, labels));
        Assert.Equal($"{labels} record 3: label 10 is out of range: expected 0..9 (10 classes)", e.Message);
        Assert.Equal(3, e.Record);
    }

    [Fact]
    public void MissingFileAndCorruptGzip()
    {
        string missing = _dir.File("nope");
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(missing));
        Assert.Equal($"{missing}: file not found", e.Message);

        byte[] gz = IdxFiles.Gzip(IdxFiles.Images(50, 10, 10));
        for (int i = 12; i < gz.Length - 8; i += 5)
        {
            gz[i] ^= 0xa5;
        }
        string corrupt = _dir.Write("corrupt.gz", gz);
        e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(corrupt));
        Assert.StartsWith($"{corrupt}: ", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadsAnMnistStyleDirectory(bool gzip)
    {
        string dir = _dir.File("mnist");
        IdxFiles.WriteMnistDirectory(dir, gzip);
        TrainTestSplit sets = MnistDirectory.Load(dir);
        Assert.Equal(3, sets.Train.Count);
        Assert.Equal(2, sets.Test.Count);
        Assert.Null(sets.Validation);
        Assert.Equal(4, sets.Train.FeatureCount);
        Assert.Equal(10, sets.Train.ClassCount);
        Assert.Equal([0, 9, 4], sets.Train.Labels!);
        Assert.Equal([7, 1], sets.Test.Labels!);
        Assert.Equal(255f, sets.Test.Features[0]);
    }

    [Fact]
    public void DottedNamesAreAccepted()
    {
        string dir = _dir.File("kaggle");
        IdxFiles.WriteMnistDirectory(dir, gzip: false);
        foreach (string name in MnistDirectory.FileNames)
        {
            File.Move(Path.Combine(dir, name), Path.Combine(dir, name.Replace("-idx", ".idx", StringComparison.Ordinal)));
        }
        Assert.Equal(3, MnistDirectory.Load(dir).Train.Count);
    }

    [Fact]
    public void MissingDirectoryOrFile()
    {
        string dir = _dir.File("partial");
        var e = Assert.Throws<DataFormatException>(() => MnistDirectory.Load(dir));
        Assert.Equal($"{dir}: directory not found", e.Message);
        IdxFiles.WriteMnistDirectory(dir, gzip: true);
        File.Delete(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));
        e = Assert.Throws<DataFormatException>(() => MnistDirectory.Load(dir));
        Assert.StartsWith($"{Path.Combine(dir, "t10k-labels-idx1-ubyte")}: file not found (also looked for", e.Message);
    }

    [Fact]
    public void CutGzipStreamIsAnError()
    {
        byte[] gz = IdxFiles.Gzip(IdxFiles.Images(50, 10, 10, i => (byte)(i * 7 % 251)));
        string path = _dir.Write("cut.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith($"{path}: truncated gzip data: it ends after", e.Message);
    }
}
