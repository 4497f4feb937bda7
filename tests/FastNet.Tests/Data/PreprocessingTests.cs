using FastNet.Data;
using Xunit;

namespace FastNet.Tests.Data;

public sealed class PreprocessingTests
{
    private static Dataset Numbered(int rows, int features = 3)
    {
        float[] x = new float[rows * features];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = i;
        }
        int[] labels = Enumerable.Range(0, rows).Select(r => r % 2).ToArray();
        return new Dataset("numbered", features, x, 2, Dataset.OneHot(labels, 2), 2, labels);
    }

    [Fact]
    public void DivideScalesFeaturesOnlyInPlace()
    {
        // the digits as a float set (loaded, their whole-number pixels are held as bytes)
        Dataset loaded = EmbeddedDatasets.Digits();
        Dataset digits = loaded.WithFeatures(loaded.FeatureCount, [.. loaded.Features]);
        float[] features = digits.Features;
        new DivideScaling(16).ApplyInPlace(digits);
        Assert.Same(features, digits.Features);
        Assert.Equal(1f, digits.Features.Max());
        Assert.Equal(0f, digits.Features.Min());
        var pixels = new Dataset("p", 2, [255f, 51f], 1, [3f]);
        new DivideScaling(255).ApplyInPlace(pixels);
        Assert.Equal([1f, 0.2f], pixels.Features);
        Assert.Equal([3f], pixels.Targets);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DivideScaling(0));
        Assert.Equal([1f, 0.2f], pixels.Features);
    }

    [Fact]
    public void SplitSizesAndDisjointness()
    {
        Dataset data = Numbered(100);
        TrainTestSplit split = DataSplitter.Split(data, 0.2, seed: 7, validationFraction: 0.1);
        Assert.Equal(70, split.Train.Count);
        Assert.Equal(10, split.Validation!.Count);
        Assert.Equal(20, split.Test.Count);
        // Each row's first feature is 3·(original row): together the parts hold every row once.
        int[] rows = new[] { split.Train, split.Validation, split.Test }
            .SelectMany(d => Enumerable.Range(0, d.Count).Select(r => (int)d.Features[r * 3] / 3)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 100), rows);
        // Labels travel with their rows.
        Assert.All(Enumerable.Range(0, split.Test.Count),
            r => Assert.Equal((int)split.Test.Features[r * 3] / 3 % 2, split.Test.Labels![r]));
        Assert.Null(DataSplitter.Split(data, 0.2, 7).Validation);
    }

    [Fact]
    public void SplitIsDeterministicPerSeed()
    {
        Dataset data = Numbered(50);
        TrainTestSplit a = DataSplitter.Split(data, 0.3, seed: 42);
        TrainTestSplit b = DataSplitter.Split(data, 0.3, seed: 42);
        TrainTestSplit c = DataSplitter.Split(data, 0.3, seed: 43);
        Assert.Equal(a.Test.Features, b.Test.Features);
        Assert.Equal(a.Train.Features, b.Train.Features);
        Assert.NotEqual(a.Test.Features, c.Test.Features);
        Assert.Equal(DataSplitter.Shuffle(data, 5).Features, DataSplitter.Shuffle(data, 5).Features);
        Assert.NotEqual(DataSplitter.Shuffle(data, 5).Features, DataSplitter.Shuffle(data, 6).Features);
    }

    [Fact]
    public void SplitRejectsBadFractions()
    {
        Dataset data = Numbered(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplitter.Split(data, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplitter.Split(data, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplitter.Split(data, 0.5, 1, validationFraction: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplitter.Split(data, double.NaN, 1));
    }

    [Fact]
    public void StandardizerFitsOnTrainOnly()
    {
        // Column 0 varies, column 1 is constant in train.
        var train = new Dataset("train", 2, [1f, 5f, 3f, 5f], 1, [0f, 0f]);
        var test = new Dataset("test", 2, [5f, 9f], 1, [0f]);
        Standardizer s = Standardizer.Fit(train);
        Assert.Equal([2f, 5f], s.Mean);
        Assert.Equal([1f, 1f], s.Scale);
        s.ApplyInPlace(train);
        Assert.Equal([-1f, 0f, 1f, 0f], train.Features);
        // Test statistics are not used: test's column 0 maps to (5 − 2) / 1.
        s.ApplyInPlace(test);
        Assert.Equal([3f, 4f], test.Features);
        Assert.Equal([0f], test.Targets);
    }

    [Fact]
    public void StandardizedTrainHasZeroMeanUnitVariance()
    {
        Dataset digits = EmbeddedDatasets.Digits();
        TrainTestSplit split = DataSplitter.Split(digits, 0.25, 1);
        Dataset train = split.Train;
        Standardizer.Fit(train).ApplyInPlace(train);
        int d = train.FeatureCount;
        for (int j = 0; j < d; j++)
        {
            double[] column = Enumerable.Range(0, train.Count).Select(r => (double)train.Features[r * d + j]).ToArray();
            double mean = column.Average();
            double variance = column.Select(v => (v - mean) * (v - mean)).Average();
            Assert.InRange(mean, -1e-5, 1e-5);
            // Column 0 of the digits is always 0: a constant column stays 0, never NaN.
            Assert.True(variance < 1e-9 || Math.Abs(variance - 1) < 1e-4, $"column {j}: variance {variance}");
        }
        Assert.All(train.Features, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void StandardizerRejectsMismatchedFeatures()
    {
        Standardizer s = Standardizer.Fit(new Dataset("a", 2, [1f, 2f], 1, [0f]));
        Assert.Throws<ArgumentException>(() => s.ApplyInPlace(new Dataset("b", 3, [1f, 2f, 3f], 1, [0f])));
    }

    // a column whose std is subnormal divided every value off its mean into infinity
    [Fact]
    public void AColumnWhoseStdIsTooSmallToDivideByIsOnlyCentredLikeAConstantOne()
    {
        // column 0 varies by a subnormal 1e-42 around its mean, column 1 by 1
        var train = new Dataset("train", 2, [0f, 1f, 2e-42f, 3f], 1, [0f, 0f]);
        var test = new Dataset("test", 2, [1f, 2f], 1, [0f]);

        Standardizer s = Standardizer.Fit(train);
        s.ApplyInPlace(test);

        Assert.Equal([1f, 1f], s.Scale);
        Assert.Equal([1f - 1e-42f, 0f], test.Features);
    }

    // a reciprocal of a subnormal overflows: the library refuses such a divisor or scale as the file reader does
    [Theory]
    [InlineData(1e-39f)]
    [InlineData(1e-40f)]
    [InlineData(float.Epsilon)]
    public void ADivisorOrScaleBelowTheSmallestNormalFloatIsRefused(float tiny)
    {
        var divide = Assert.Throws<ArgumentOutOfRangeException>(() => new DivideScaling(tiny));
        Assert.Contains("at least 1.1754944E-38", divide.Message, StringComparison.Ordinal);
        var standardize = Assert.Throws<ArgumentException>(() => new Standardizer([0f, 0f], [1f, tiny]));
        Assert.StartsWith("feature 1: ", standardize.Message, StringComparison.Ordinal);
        Assert.Contains("at least 1.1754944E-38", standardize.Message, StringComparison.Ordinal);
    }

    // the bound promises a finite reciprocal: inputs of magnitude 1 stay finite (larger ones may still overflow)
    [Fact]
    public void TheSmallestNormalFloatAndTheLargestFloatAreAcceptedAndKeepUnitInputsFinite()
    {
        float[] features = [1f, -1f];
        new DivideScaling(InputScaling.SmallestDivisor).ApplyInPlace(features, 1, "x");
        Assert.All(features, v => Assert.True(float.IsFinite(v), $"{v}"));

        float[] small = [1f, -1f];
        new Standardizer([0f], [float.MaxValue]).ApplyInPlace(small, 1, "x");
        Assert.All(small, v => Assert.True(float.IsFinite(v), $"{v}"));
    }

    // a divisor or deviation that is a normal float can still be far smaller than the features: their scaled values
    // would be infinite, and the network's outputs Infinity or NaN
    [Fact]
    public void AFeatureScaledBeyondFloatsRangeIsRefusedNamingExampleAndFeature()
    {
        Dataset floats = Numbered(4); // features 0..11; 7 / 2e-38 is past float's largest, 3.4e38
        var divide = Assert.Throws<DataFormatException>(() => floats.Scale(new DivideScaling(2e-38f)));
        Assert.Equal("numbered: example 3, feature 2: 7 is beyond float's range after divide by 2E-38, whose divisor or "
            + "deviation is too small for these features", divide.Message);

        var standardize = Assert.Throws<DataFormatException>(() =>
            Numbered(4).Scale(new StandardizeScaling(new Standardizer(new float[3], [1f, 1f, 2e-38f]))));
        Assert.StartsWith("numbered: example 3, feature 3: 8 is beyond float's range after standardize", standardize.Message,
            StringComparison.Ordinal);

        // a compact set's bytes are scaled as they are read: checked once, at their largest
        var bytes = new Dataset("bytes", 1, [0, 255], 1, [0f, 1f]);
        var compact = Assert.Throws<DataFormatException>(() => bytes.Scale(new DivideScaling(1e-37f)));
        Assert.Equal("bytes: a feature of 255 is beyond float's range after divide by 1E-37; the divisor is too small for "
            + "these features", compact.Message);
        new Dataset("bytes", 1, [0, 255], 1, [0f, 1f]).Scale(new DivideScaling(1e-36f)); // 2.55e38: within range
    }
}
