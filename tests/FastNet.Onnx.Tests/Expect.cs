using Xunit;

namespace FastNet.Onnx.Tests;

/// <summary>Element-wise comparisons that name the first element out of bounds.</summary>
internal static class Expect
{
    public static void Within(float[] expected, float[] actual, double[] bounds, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(difference <= bounds[i],
                $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R}, difference {difference:E3} "
                + $"exceeds the bound {bounds[i]:E3}");
        }
    }

    public static void SameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R}");
        }
    }
}
