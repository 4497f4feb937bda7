using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The dropout generator against independently computed values (SplitMix64's published vectors and
/// Goldens/dropout_mask.py), and the mask's statistics and offsets on the reference (every backend's op:
/// <see cref="DropoutOpTests"/>).
/// </summary>
public class DropoutTests
{
    [Fact]
    public void TheElementBitsAreSplitMix64sPublishedOutputs()
    {
        // splitmix64.c seeded with 1234567: its first five outputs
        ulong[] published =
            [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        for (int e = 0; e < published.Length; e++)
        {
            Assert.Equal(published[e], DropoutMask.Bits(1234567, e));
        }
    }

    [Fact]
    public void TheKeyedMaskMatchesTheIndependentScript()
    {
        // values printed by Goldens/dropout_mask.py
        ulong stream = DropoutMask.StreamOf(seed: 42, step: 7, layer: 1);
        Assert.Equal(0x383d308626efa9f0UL, stream);
        Assert.Equal(0xbaf04431ceefd6e9UL, DropoutMask.Bits(stream, 1000));
        Assert.Equal(0xb59b2ca79c62aef8UL, DropoutMask.Bits(stream, 1001));
        Assert.Equal(0x54d87ed9c7453ce8UL, DropoutMask.Bits(stream, 1002));
        DropoutMask mask = DropoutMask.Create(42, 7, 1, 0, 0.5);
        string keeps = string.Concat(Enumerable.Range(0, 32).Select(e => mask.Keeps(e) ? '1' : '0'));
        Assert.Equal("11101001000011000111011110111110", keeps);
    }

    [Fact]
    public void EachPartOfTheKeyChangesTheMask()
    {
        DropoutMask mask = DropoutMask.Create(1, 5, 0, 0, 0.5);
        foreach (DropoutMask other in new[]
            {
                DropoutMask.Create(2, 5, 0, 0, 0.5), DropoutMask.Create(1, 6, 0, 0, 0.5),
                DropoutMask.Create(1, 5, 1, 0, 0.5), DropoutMask.Create(1, 5, 0, 64, 0.5),
            })
        {
            int differ = Enumerable.Range(0, 64).Count(i => mask.Keeps(i) != other.Keeps(i));
            Assert.True(differ > 8, $"{other}: only {differ} of 64 keep bits differ");
        }
    }

    [Fact]
    public void TheDropRateIsPWithinSixStandardDeviations()
    {
        using IBackend backend = BackendsUnderTest.Reference();
        const int n = 1 << 21;
        float[] ones = new float[n];
        Array.Fill(ones, 1f);
        foreach (double rate in new[] { 0.05, 0.1, 0.5, 0.9 })
        {
            float[] dropped = DropoutOpTests.Apply(backend, ones, DropoutMask.Create(7, 123, 1, 0, rate), inPlace: false);
            int zeros = dropped.Count(v => v == 0);
            // the threshold rounds 1 − p to a multiple of 2⁻²⁴: a bias of at most 2⁻²⁵ per element
            double bound = 6 * Math.Sqrt(n * rate * (1 - rate)) + n * Math.Pow(2, -25);
            Assert.True(Math.Abs(zeros - n * rate) <= bound,
                $"p {rate}: {zeros} of {n} dropped, expected {n * rate} ± {bound:F0}");
        }
    }

    [Fact]
    public void AMaskStartingAtAnElementContinuesTheLongerMask()
    {
        // what lets micro-batches and ranks draw the rows of one batch: rows r₀.. of a batch use elements r₀·units..
        using IBackend backend = BackendsUnderTest.Reference();
        float[] values = Host.Random(new Random(43), 300);
        float[] whole = DropoutOpTests.Apply(backend, values, DropoutMask.Create(1, 2, 3, 0, 0.5), inPlace: false);
        float[] tail = DropoutOpTests.Apply(backend, values[100..], DropoutMask.Create(1, 2, 3, 100, 0.5), inPlace: false);
        Expect.BitIdentical(whole[100..], tail, "elements 100..299");
    }

    [Fact]
    public void ARateOutsideZeroToOneIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMask.Create(1, 1, 1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMask.Create(1, 1, 1, 0, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMask.Create(1, 1, 1, 0, double.NaN));
    }
}
