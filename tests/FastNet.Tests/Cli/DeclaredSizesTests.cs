using FastNet.Cli.Commands;
using FastNet.Data;
using FastNet.Tests.Data;
using Xunit;

namespace FastNet.Tests.Cli;

/// <summary><c>fastnet train</c> prints its first line from the sizes IDX data declares in its headers, before the
/// data is read (<see cref="DataSplits.Declared"/>): they must be the sizes of the sets <see cref="DataSplits.Load"/>
/// then makes, validation split included.</summary>
public class DeclaredSizesTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)] // 0.5 of an image: at least one
    [InlineData(0.5)] // 2.5 images: rounded away from zero, 3
    [InlineData(0.7)]
    public void AnIdxDirectoryDeclaresTheSizesOfTheSetsItLoadsInto(double validationFraction)
    {
        using var dir = new TempDirectory();
        string images = Path.Combine(dir.Path, "idx");
        Directory.CreateDirectory(images);
        File.WriteAllBytes(Path.Combine(images, "train-images-idx3-ubyte"), IdxFiles.Images(5, 2, 2));
        File.WriteAllBytes(Path.Combine(images, "train-labels-idx1-ubyte"), IdxFiles.Labels(0, 1, 2, 3, 4));
        File.WriteAllBytes(Path.Combine(images, "t10k-images-idx3-ubyte"), IdxFiles.Images(2, 2, 2));
        File.WriteAllBytes(Path.Combine(images, "t10k-labels-idx1-ubyte"), IdxFiles.Labels(5, 6));
        var request = new DataRequest(images, 0, null, validationFraction, Seed: 3);

        SetSizes declared = Assert.IsType<SetSizes>(DataSplits.Declared(request));

        Assert.Equal(DataSplits.Load(request, "auto").Sizes, declared);
        Assert.Equal("idx (train)", declared.Name);
    }

    [Fact]
    public void LoadedSetsOtherThanTheDeclaredOnesAreRefused()
    {
        var declared = new SetSizes("idx (train)", 4, 1, 2);
        DataSplits.RequireDeclaredSizes(declared, declared with { }, "idx");
        var e = Assert.Throws<DataFormatException>(() =>
            DataSplits.RequireDeclaredSizes(declared, declared with { Train = 3 }, "idx"));
        Assert.Contains("idx", e.Message, StringComparison.Ordinal);
        Assert.Contains("the data changed while it was read: its headers declared 5 training and 2 test examples, its "
            + "contents hold 4 and 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<DataFormatException>(() => DataSplits.RequireDeclaredSizes(declared, declared with { Test = 3 }, "idx"));
    }

    [Fact]
    public void DataThatMustBeReadToBeCountedDeclaresNothing()
    {
        using var dir = new TempDirectory();
        string csv = dir.File("data.csv");
        File.WriteAllText(csv, "1,2,0\n3,4,1\n");
        Assert.Null(DataSplits.Declared(new DataRequest(csv, 0, null, 0, 1)));
        Assert.Null(DataSplits.Declared(new DataRequest(DataRequest.Digits, 0, null, 0, 1)));
        Assert.Null(DataSplits.Declared(new DataRequest(dir.File("absent"), 0, null, 0, 1)));
    }
}
