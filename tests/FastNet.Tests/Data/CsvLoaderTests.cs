using System.IO.Compression;
using System.Text;
using FastNet.Data;
using Xunit;

namespace FastNet.Tests.Data;

public sealed class CsvLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LabelsInLastColumnByDefault()
    {
        string path = _dir.Write("a.csv", "1,2,0\n3.5,-4e1,2\n\n5,6,1\n");
        Dataset data = CsvLoader.Load(path);
        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal([1f, 2f, 3.5f, -40f, 5f, 6f], data.Features);
        Assert.Equal([0, 2, 1], data.Labels!);
        Assert.Equal([1f, 0f, 0f, 0f, 0f, 1f, 0f, 1f, 0f], data.Targets);
    }

    [Fact]
    public void PixelValuesAreHeldAsBytesAndReadBackAsTheSameFloats()
    {
        string path = _dir.Write("pixels.csv", "label,p1,p2,p3\n3,0,255,17.0\n1,128,4,0\n");
        Dataset data = CsvLoader.Load(path, new CsvOptions { LabelColumn = 0 });
        Assert.True(data.IsCompact); // a quarter of the memory of float32
        Assert.Equal([0f, 255f, 17f, 128f, 4f, 0f], data.Features);
        Assert.Equal([3, 1], data.Labels!);
    }

    [Theory]
    [InlineData("0.5", 0.5f)]
    [InlineData("256", 256f)]
    [InlineData("-1", -1f)]
    [InlineData("-0", -0f)] // stored as a byte it would come back as +0
    public void OneValueThatIsNotAByteKeepsEveryValueAsFloats(string field, float expected)
    {
        // more rows than one storage block holds, so values already stored as bytes in several blocks are widened
        const int rows = 7000, columns = 10;
        var text = new StringBuilder();
        for (int r = 0; r < rows; r++)
        {
            IEnumerable<string> features = Enumerable.Range(0, columns).Select(c => ((r * columns + c) % 256).ToString());
            if (r == rows - 1)
            {
                features = features.Take(columns - 1).Append(field);
            }
            text.Append(string.Join(',', features)).Append(",1\n");
        }
        Dataset data = CsvLoader.Load(_dir.Write("wide.csv", text.ToString()));

        Assert.False(data.IsCompact);
        float[] want = [.. Enumerable.Range(0, rows * columns).Select(i => (float)(i % 256))];
        want[^1] = expected;
        Assert.Equal(want.Select(BitConverter.SingleToInt32Bits), data.Features.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void LabelColumnByIndexAndGivenClassCount()
    {
        string path = _dir.Write("a.csv", "1,7,8\r\n0,9,10\r\n");
        Dataset data = CsvLoader.Load(path, new CsvOptions { LabelColumn = 0, ClassCount = 4 });
        Assert.Equal([7f, 8f, 9f, 10f], data.Features);
        Assert.Equal([1, 0], data.Labels!);
        Assert.Equal(4, data.ClassCount);
        Assert.Equal(4, data.TargetCount);
    }

    [Fact]
    public void NegativeLabelColumnCountsFromTheEnd()
    {
        string path = _dir.Write("a.csv", "1,2,3\n4,0,6\n");
        Dataset data = CsvLoader.Load(path, new CsvOptions { LabelColumn = -2 });
        Assert.Equal([1f, 3f, 4f, 6f], data.Features);
        Assert.Equal([2, 0], data.Labels!);
    }

    [Fact]
    public void LastKColumnsAsRealTargets()
    {
        string path = _dir.Write("r.csv", "x,y,t1,t2\n1,2,0.5,-0.25\n3,4,1e-3,7\n");
        Dataset data = CsvLoader.Load(path, new CsvOptions { TargetColumns = 2 });
        Assert.False(data.IsClassification);
        Assert.Null(data.Labels);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(2, data.TargetCount);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
        Assert.Equal([0.5f, -0.25f, 1e-3f, 7f], data.Targets);
    }

    [Fact]
    public void HeaderDetectedWhenAFieldIsNotANumber()
    {
        // scikit-learn's own files start with "n,d,classnames...": numbers and names mixed.
        string path = _dir.Write("iris.csv", "2,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n");
        Dataset data = CsvLoader.Load(path);
        Assert.Equal(2, data.Count);
        Assert.Equal([5.1f, 3.5f, 4.9f, 3.0f], data.Features);
    }

    [Fact]
    public void NumericFirstLineIsDataUnlessHeaderIsForced()
    {
        string path = _dir.Write("a.csv", "1,2,0\n3,4,1\n");
        Assert.Equal(2, CsvLoader.Load(path).Count);
        Dataset forced = CsvLoader.Load(path, new CsvOptions { Header = CsvHeader.Present });
        Assert.Equal(1, forced.Count);
        Assert.Equal([3f, 4f], forced.Features);
    }

    [Fact]
    public void ExplicitNoHeaderMakesAWordAnError()
    {
        string path = _dir.Write("a.csv", "a,b,c\n3,4,1\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvOptions { Header = CsvHeader.Absent }));
        Assert.Equal($"{path} line 1, column 1: expected a number, found \"a\"", e.Message);
    }

    [Fact]
    public void ReadsGzipByContent()
    {
        byte[] gz = Gzip("1,2,1\n3,4,0\n");
        Dataset a = CsvLoader.Load(_dir.Write("a.csv.gz", gz));
        Dataset b = CsvLoader.Load(_dir.Write("renamed.csv", gz));
        Assert.Equal([1f, 2f, 3f, 4f], a.Features);
        Assert.Equal(a.Features, b.Features);
        Assert.Equal([1, 0], b.Labels!);
    }

    [Fact]
    public void InvariantCultureWhateverTheCurrentCulture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Dataset data = CsvLoader.Load(_dir.Write("a.csv", "1.5,0\n"));
            Assert.Equal(1.5f, data.Features[0]);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    // A header naming a column the rows lack: the rows' last feature was read as the class label (here 3 and 6).
    [Theory]
    [InlineData("x1,x2,x3,y\n1,2,3\n4,5,6\n", "line 2: expected 4 fields, as the header on line 1 names, found 3")]
    [InlineData("\n\"x, first\",x2,x3,y\n\n1,2,3\n", "line 4: expected 4 fields, as the header on line 2 names, found 3")]
    public void AHeaderNamingMoreColumnsThanTheRowsHoldIsRefused(string text, string problem)
    {
        string path = _dir.Write("wide.csv", text);
        DataFormatException e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.Equal($"{path} {problem}", e.Message);
    }

    // what a header may be besides one name per column
    [Theory]
    [InlineData("\"x, first\",x2,y\n1,2,0\n")] // a quoted name holding a comma
    [InlineData("x1,x2,y,,\n1,2,0\n")] // empty names at the end
    [InlineData("2,2,setosa,versicolor,virginica\n1,2,0\n3,4,2\n")] // scikit-learn's n_samples,n_features,class names
    [InlineData("y\n1,2,0\n")] // fewer names than columns
    public void AHeaderThatNamesNoMoreColumnsThanTheRowsHoldIsSkipped(string text)
    {
        string path = _dir.Write("named.csv", text);
        Dataset data = CsvLoader.Load(path, new CsvOptions { Header = CsvHeader.Present });
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal([1f, 2f], data.Features[..2]);
    }

    // A bad cell is quoted on the message's one line: its control characters escaped, its length capped.
    [Fact]
    public void ABadCellIsQuotedEscapedAndShortened()
    {
        using var dir = new TempDirectory();
        string cell = "\u001b[2J\u0007" + new string('z', 500);
        string path = dir.Write("bad.csv", $"1,2,0\n3,{cell},1\n");
        DataFormatException e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.Equal($"{path} line 2, column 2: expected a number, found \"\\u001b[2J\\u0007{new string('z', QuotedText.MaxLength - 5)}\"…",
            e.Message);
    }

    [Theory]
    [InlineData("1,2,0\n3,4\n", null, "line 2: expected 3 fields (as on line 1), found 2")]
    [InlineData("h1,h2,h3\n1,2,0\n3,4,5,6\n", null, "line 3: expected 3 fields (as on line 2), found 4")]
    [InlineData("1,2,0\n3,abc,1\n", null, "line 2, column 2: expected a number, found \"abc\"")]
    [InlineData("1,2,0\n3,,1\n", null, "line 2, column 2: expected a number, found an empty field")]
    [InlineData("1,NaN,0\n", null, "line 1, column 2: expected a finite number, found \"NaN\"")]
    [InlineData("1,2,0\n-Infinity,2,0\n", null, "line 2, column 1: expected a finite number, found \"-Infinity\"")]
    [InlineData("1,2,0\n1e39,2,0\n", null, "line 2, column 1: expected a finite number, found \"1e39\"")]
    [InlineData("1,2,0\n1,2,1.5\n", null, "line 2, column 3: expected a class label (an integer >= 0, or a name), found \"1.5\"")]
    [InlineData("1,2,0\n1,2,-1\n", null, "line 2, column 3: expected a class label (an integer >= 0, or a name), found \"-1\"")]
    [InlineData("1,2,0\n1,2,\n", null, "line 2, column 3: expected a class label (an integer >= 0, or a name), found an empty field")]
    [InlineData("1,2,0\n1,2,x\n", null, "line 2, column 3: class label \"x\" is a name, but the first label (line 1: \"0\") is a number")]
    [InlineData("1,2,cat\n1,2,1\n", null, "line 2, column 3: class label \"1\" is a number, but the first label (line 1: \"cat\") is a name")]
    [InlineData("1,2,0\n1,2,3\n", 3, "line 2, column 3: class label 3 is out of range: expected 0..2 (3 classes)")]
    [InlineData("1,2,0\n1,2,100000\n", null, "line 2, column 3: class label 100000 would make 100001 classes")]
    [InlineData("5\n", null, "line 1: expected at least 2 fields (features, then a class label), found 1")]
    [InlineData("a;b;c\n1;2;0\n", null, "line 2: expected at least 2 fields (features, then a class label), found 1; fields must be separated by commas")]
    public void BadInputNamesFileLineAndColumn(string text, int? classCount, string expected)
    {
        string path = _dir.Write("bad.csv", text);
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvOptions { ClassCount = classCount }));
        Assert.StartsWith($"{path} {expected}", e.Message);
        Assert.Equal(path, e.File);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void ClassNamesBecomeClassesInSortedOrdinalOrder()
    {
        // First appearance is dog, cat, Ant; ordinal order puts capitals first.
        string path = _dir.Write("pets.csv", "1,2,dog\n3,4,cat\n5,6,Ant\n7,8,cat\n");
        Dataset data = CsvLoader.Load(path);
        Assert.Equal(["Ant", "cat", "dog"], data.ClassNames!);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal([2, 1, 0, 1], data.Labels!);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], data.Features);
    }

    [Fact]
    public void AClassNameColumnDoesNotMakeTheFirstLineAHeader()
    {
        string path = _dir.Write("pets.csv", "1,2,cat\n3,4,dog\n");
        Dataset data = CsvLoader.Load(path);
        Assert.Equal(2, data.Count);
        Assert.Equal(["cat", "dog"], data.ClassNames!);
    }

    [Fact]
    public void AHeaderAboveClassNamesIsStillSkipped()
    {
        string path = _dir.Write("pets.csv", "weight,height,species\n1,2,cat\n3,4,dog\n");
        Dataset data = CsvLoader.Load(path);
        Assert.Equal(2, data.Count);
        Assert.Equal([0, 1], data.Labels!);
    }

    [Fact]
    public void GivenClassNamesFixTheClassesWhateverTheFileOrder()
    {
        string path = _dir.Write("pets.csv", "1,2,dog\n3,4,dog\n5,6,ant\n");
        Dataset data = CsvLoader.Load(path, new CsvOptions { ClassNames = ["ant", "cat", "dog"] });
        Assert.Equal(["ant", "cat", "dog"], data.ClassNames!);
        Assert.Equal([2, 2, 0], data.Labels!);
        Assert.Equal(3, data.TargetCount);
    }

    [Fact]
    public void ALabelOutsideTheGivenClassNamesNamesTheLineTheLabelAndTheClasses()
    {
        string path = _dir.Write("pets.csv", "1,2,dog\n3,4,bird\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvOptions { ClassNames = ["cat", "dog"] }));
        Assert.Equal($"{path} line 2, column 3: class label \"bird\" is not one of the 2 classes: \"cat\", \"dog\"", e.Message);
    }

    [Fact]
    public void NumericLabelsIgnoreGivenClassNames()
    {
        string path = _dir.Write("digits.csv", "1,2,1\n3,4,0\n");
        Dataset data = CsvLoader.Load(path, new CsvOptions { ClassNames = ["cat", "dog"] });
        Assert.Equal([1, 0], data.Labels!);
        Assert.Null(data.ClassNames);
    }

    [Fact]
    public void ClassNamesSurviveASplit()
    {
        string path = _dir.Write("pets.csv", "1,2,dog\n3,4,cat\n5,6,dog\n7,8,cat\n");
        TrainTestSplit split = DataSplitter.Split(CsvLoader.Load(path), 0.5, seed: 3);
        Assert.Equal(["cat", "dog"], split.Train.ClassNames!);
        Assert.Equal(["cat", "dog"], split.Test.ClassNames!);
    }

    [Fact]
    public void ErrorsCarryStructuredLocation()
    {
        string path = _dir.Write("digits.csv", "1,2,0\n" + string.Concat(Enumerable.Repeat("1,2,0\n", 10)) + "1,abc,0\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.Equal(12, e.Line);
        Assert.Equal(2, e.Column);
        Assert.Equal("expected a number, found \"abc\"", e.Problem);
    }

    [Fact]
    public void LabelColumnOutOfRange()
    {
        string path = _dir.Write("a.csv", "1,2,0\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvOptions { LabelColumn = 3 }));
        Assert.Equal($"{path} line 1: label column 3 does not exist: the line has 3 fields", e.Message);
    }

    [Fact]
    public void TooFewColumnsForTargets()
    {
        string path = _dir.Write("a.csv", "1,2\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvOptions { TargetColumns = 2 }));
        Assert.Equal($"{path} line 1: expected more than 2 fields (2 targets and at least one feature), found 2", e.Message);
    }

    [Theory]
    [InlineData("", "empty file")]
    [InlineData("\n  \n", "empty file")]
    [InlineData("a,b,c\n", "no data rows after the header")]
    public void EmptyFiles(string text, string expected)
    {
        string path = _dir.Write("empty.csv", text);
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.Equal($"{path}: {expected}", e.Message);
    }

    [Fact]
    public void MissingFile()
    {
        string path = _dir.File("nope.csv");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.Equal($"{path}: file not found", e.Message);
    }

    [Fact]
    public void CorruptGzipNamesTheFile()
    {
        byte[] gz = Gzip(string.Concat(Enumerable.Repeat("1,2,0\n", 2000)));
        for (int i = 20; i < gz.Length - 8; i += 7)
        {
            gz[i] ^= 0x5a;
        }
        string path = _dir.Write("broken.csv.gz", gz);
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void CutGzipIsAnErrorNotFewerRows()
    {
        byte[] gz = Gzip(string.Concat(Enumerable.Range(0, 3000).Select(i => $"{i},{i % 7},{i % 3}\n")));
        string path = _dir.Write("cut.csv.gz", gz[..(gz.Length * 3 / 4)]);
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path));
        Assert.StartsWith(path + " line ", e.Message);
        Assert.Contains(": truncated gzip data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectoryIsRefusedAsADirectory()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(_dir.Path));
        Assert.Equal($"{_dir.Path}: is a directory, not a file", e.Message);
    }

    [Fact]
    public void AFileLongerThanMaxBytesIsRefusedNamingTheLimit()
    {
        string path = _dir.Write("long.csv", string.Concat(Enumerable.Repeat("1,2,0\n", 100)));
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load(path, new CsvOptions { MaxBytes = 599 }));
        Assert.Equal($"{path}: the file is 600 bytes, more than the limit of 599", e.Message);
        Assert.Equal(100, CsvLoader.Load(path, new CsvOptions { MaxBytes = 600 }).Count);
    }

    [Fact]
    public void ALineWithoutEndStopsAtTheLineLimit()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Read(new EndlessDigits(), "endless"));
        Assert.Equal($"endless line 1: the line is longer than the limit of {CsvLoader.MaxLineLength} characters", e.Message);
        // The line's buffer (two bytes a character) with the copies of its growth; never the endless whole.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8L * CsvLoader.MaxLineLength);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void ALineBreakSplitAcrossReadsCountsOnce(string lineBreak)
    {
        // Headers of lengths around the reader's 16384-character reads put the break on the boundary; a break counted
        // twice would move the bad field to line 4.
        for (int header = 16379; header <= 16386; header++)
        {
            string text = new string('h', header) + lineBreak + "1,2,0" + lineBreak + "1,x,0" + lineBreak;
            var e = Assert.Throws<DataFormatException>(() => CsvLoader.Read(new StringReader(text), "rows"));
            Assert.Equal("rows line 3, column 2: expected a number, found \"x\"", e.Message);
        }
    }

    /// <summary>"1" without end, and no line break.</summary>
    private sealed class EndlessDigits : TextReader
    {
        public override int Read(char[] buffer, int index, int count)
        {
            buffer.AsSpan(index, count).Fill('1');
            return count;
        }
    }

    private static byte[] Gzip(string text)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return memory.ToArray();
    }
}
