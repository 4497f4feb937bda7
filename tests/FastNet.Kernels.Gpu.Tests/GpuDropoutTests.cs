using FastNet.Kernels.Reference;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary><see cref="IBackend.Dropout"/> on the GPU kernel keeps the reference's elements and values bit for bit,
/// in place or not, on awkward lengths and element offsets.</summary>
[Collection(GpuCollection.Name)]
public sealed class GpuDropoutTests(GpuFixture fixture)
{
    [Fact]
    public void DrawsTheReferencesMaskBitForBit()
    {
        IBackend backend = fixture.Backend;
        using var reference = new ReferenceBackend();
        var random = new Random(5);
        foreach (int length in new[] { 1, 17, 1000, 4099 })
        {
            foreach (double rate in new[] { 0, 0.1, 0.5, 0.9 })
            {
                DropoutMask mask = DropoutMask.Create(9, 1000 + length, 2, 3L * length, rate);
                float[] values = Data.Uniform(random, length);
                float[] expected = Apply(reference, values, mask, inPlace: false);
                foreach (bool inPlace in new[] { false, true })
                {
                    float[] actual = Apply(backend, values, mask, inPlace);
                    for (int i = 0; i < length; i++)
                    {
                        Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                            $"length {length} p {rate} in place {inPlace}, element {i}: {actual[i]:G9}, reference {expected[i]:G9}");
                    }
                }
            }
        }
    }

    private static float[] Apply(IBackend backend, float[] values, in DropoutMask mask, bool inPlace)
    {
        using FloatBuffer source = backend.Allocate(values.Length), destination = backend.Allocate(values.Length);
        backend.Upload(values, source.All);
        float[] nan = new float[values.Length];
        Array.Fill(nan, float.NaN);
        backend.Upload(nan, destination.All);
        BufferView target = inPlace ? source.All : destination.All;
        backend.Dropout(source.All, mask, target);
        float[] result = new float[values.Length];
        backend.Download(target, result);
        return result;
    }
}
