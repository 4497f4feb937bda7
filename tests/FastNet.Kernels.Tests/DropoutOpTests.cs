using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// <see cref="IBackend.Dropout"/> on every backend: the reference's mask bit for bit, in place or not, on awkward
/// lengths and element offsets; kept values multiplied by exactly float(1/(1 − p)); p = 0 the identity.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class DropoutOpTests
{
    public static TheoryData<string> Candidates => BackendsUnderTest.Candidates;

    [Theory]
    [MemberData(nameof(Candidates))]
    public void EveryBackendDrawsTheReferencesMaskBitForBit(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        using IBackend reference = BackendsUnderTest.Reference();
        var random = new Random(31);
        foreach (int length in new[] { 1, 3, 7, 17, 33, 127, 1000, 4099 })
        {
            foreach (double rate in new[] { 0.1, 0.5, 0.9 })
            {
                DropoutMask mask = DropoutMask.Create(9, 1000 + length, 2, 3L * length, rate);
                float[] values = Host.Random(random, length);
                float[] expected = Apply(reference, values, mask, inPlace: false);
                string what = $"{name} length {length} p {rate}";
                Expect.BitIdentical(expected, Apply(backend, values, mask, inPlace: false), what);
                Expect.BitIdentical(expected, Apply(backend, values, mask, inPlace: true), what + " in place");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void KeptValuesAreScaledExactlyAndDroppedOnesAreZero(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        var random = new Random(37);
        float[] values = Host.Random(random, 1000);
        foreach (double rate in new[] { 0.2, 1.0 / 3, 0.75 })
        {
            DropoutMask mask = DropoutMask.Create(3, 11, 0, 0, rate);
            Assert.Equal((float)(1 / (1 - rate)), mask.Scale);
            float[] dropped = Apply(backend, values, mask, inPlace: false);
            for (int i = 0; i < values.Length; i++)
            {
                float expected = mask.Keeps(i) ? values[i] * mask.Scale : 0f;
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(dropped[i]),
                    $"{name} p {rate:G4} element {i}: {dropped[i]:G9}, expected {expected:G9}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Candidates))]
    public void RateZeroIsTheIdentity(string name)
    {
        IBackend backend = BackendsUnderTest.Get(name).Backend;
        float[] values = Host.Random(new Random(41), 1000);
        values[0] = -0f;
        values[1] = float.Epsilon;
        values[2] = float.MaxValue;
        DropoutMask mask = DropoutMask.Create(5, 1, 1, 17, 0);
        Assert.Equal(DropoutMask.ThresholdOne, mask.KeepThreshold);
        Assert.Equal(1f, mask.Scale);
        Expect.BitIdentical(values, Apply(backend, values, mask, inPlace: false), name);
    }

    // the op on a NaN-filled destination (every element must be written), or in place
    internal static float[] Apply(IBackend backend, float[] values, in DropoutMask mask, bool inPlace)
    {
        using FloatBuffer source = backend.Allocate(values.Length), destination = backend.Allocate(values.Length);
        backend.Upload(values, source.All);
        if (inPlace)
        {
            backend.Dropout(source.All, mask, source.All);
        }
        else
        {
            float[] nan = new float[values.Length];
            Array.Fill(nan, float.NaN);
            backend.Upload(nan, destination.All);
            backend.Dropout(source.All, mask, destination.All);
        }
        float[] result = new float[values.Length];
        backend.Download(inPlace ? source.All : destination.All, result);
        return result;
    }
}
