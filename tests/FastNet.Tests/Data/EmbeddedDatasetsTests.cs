using FastNet.Data;
using Xunit;

namespace FastNet.Tests.Data;

public sealed class EmbeddedDatasetsTests
{
    [Fact]
    public void DigitsHasTheKnownShape()
    {
        Dataset digits = EmbeddedDatasets.Digits();
        Assert.Equal(1797, digits.Count);
        Assert.Equal(64, digits.FeatureCount);
        Assert.Equal(10, digits.ClassCount);
        Assert.Equal(10, digits.TargetCount);
        Assert.All(digits.Features, v => Assert.InRange(v, 0f, 16f));
        Assert.Equal(16f, digits.Features.Max());

        // scikit-learn's digits have 174..183 examples per class.
        int[] counts = new int[10];
        foreach (int label in digits.Labels!)
        {
            counts[label]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 170, 190));
        Assert.Equal(178, counts[0]);

        // Targets are one-hot and agree with the labels.
        for (int r = 0; r < digits.Count; r++)
        {
            Assert.Equal(1f, digits.Targets[r * 10 + digits.Labels![r]]);
            Assert.Equal(1f, digits.Targets.AsSpan(r * 10, 10).ToArray().Sum());
        }
    }
}
