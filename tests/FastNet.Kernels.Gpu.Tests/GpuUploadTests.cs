using FastNet.Kernels.Tests;
using Xunit;

namespace FastNet.Kernels.Gpu.Tests;

/// <summary>Copies in and out of the GPU backend's buffers: views, fills, foreign buffers, and uploads large enough to
/// go through the page-locked staging chunks.</summary>
[Collection(GpuCollection.Name)]
public sealed class GpuUploadTests(GpuFixture fixture)
{
    private const int Chunk = PageLockedStaging.ChunkFloats;

    [Fact]
    public void LargeUploadsRoundTripBitForBitThroughReusedStaging()
    {
        GpuBackend gpu = fixture.Backend;
        var random = new Random(7);
        // two whole chunks and a remainder, into a view at an odd offset inside a larger buffer
        const int offset = 3, length = 2 * Chunk + 12_345, after = 5;
        using FloatBuffer buffer = gpu.Allocate(offset + length + after);
        // only the floats around the view are marked: a fill of the whole buffer emulates millions of GPU threads
        gpu.Fill(-1f, buffer.Slice(0, offset));
        gpu.Fill(-1f, buffer.Slice(offset + length, after));

        PageLockedStaging? before = gpu.Staging;
        float[] small = RandomBits(random, Chunk - 1);
        gpu.Upload(small, buffer.All.Slice(offset, small.Length));
        Assert.Same(before, gpu.Staging); // below one chunk the upload is direct: nothing allocated

        float[] large = RandomBits(random, length);
        gpu.Upload(large, buffer.All.Slice(offset, length));
        float[] back = Host.Download(gpu, buffer.All);
        AssertSameBits(large, back.AsSpan(offset, length));
        Assert.All(back[..offset], v => Assert.Equal(-1f, v));
        Assert.All(back[(offset + length)..], v => Assert.Equal(-1f, v));
        PageLockedStaging staging = Assert.IsType<PageLockedStaging>(gpu.Staging);

        // exactly one chunk, the smallest staged upload: the same buffers serve it
        float[] oneChunk = RandomBits(random, Chunk);
        gpu.Upload(oneChunk, buffer.All.Slice(0, Chunk));
        AssertSameBits(oneChunk, Host.Download(gpu, buffer.All.Slice(0, Chunk)));
        Assert.Same(staging, gpu.Staging);
    }

    [Fact]
    public void UploadFillAndDownloadRespectViews()
    {
        GpuBackend gpu = fixture.Backend;
        using FloatBuffer buffer = gpu.Allocate(10);
        Assert.All(Host.Download(gpu, buffer.All), v => Assert.Equal(0f, v));

        gpu.Upload([1f, 2f, 3f], buffer.Slice(2, 3));
        gpu.Fill(-0.5f, buffer.Slice(6, 3));
        Assert.Equal([0f, 0f, 1f, 2f, 3f, 0f, -0.5f, -0.5f, -0.5f, 0f], Host.Download(gpu, buffer.All));
        Assert.Equal([2f, 3f], Host.Download(gpu, buffer.Slice(3, 2)));
    }

    [Fact]
    public void ForeignBuffersAreRejected()
    {
        using var reference = new Reference.ReferenceBackend();
        using FloatBuffer foreign = reference.Allocate(4);
        Assert.Throws<ArgumentException>(() => fixture.Backend.Fill(1f, foreign.All));
    }

    // Arbitrary bit patterns (NaN payloads, subnormals, −0 included): a copy must not touch a single bit.
    private static float[] RandomBits(Random random, int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
        }
        return values;
    }

    private static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]), a = BitConverter.SingleToInt32Bits(actual[i]);
            if (e != a)
            {
                Assert.Fail($"element {i} of {expected.Length}: uploaded 0x{e:X8}, read back 0x{a:X8}");
            }
        }
    }
}
