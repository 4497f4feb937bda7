using FastNet.Benchmarking;
using FastNet.Kernels;
using FastNet.Kernels.Simd;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>What the timed SGEMM allocates, and its refusal, before allocating, of a product that does not fit.</summary>
public class GemmMemoryTests
{
    [Fact]
    public void TheOperandsAreThreeSquareMatricesAndTheSimdBackendPacksACopyOfB()
    {
        using IBackend reference = Backends.Create("reference");
        using IBackend simd = Backends.Create("simd");

        GemmMemory plain = GemmMemory.For(reference, 100);
        GemmMemory packed = GemmMemory.For(simd, 100);

        Assert.Equal(3L * 100 * 100 * sizeof(float), plain.Operands);
        Assert.Equal(0, plain.Scratch);
        Assert.Equal(100L * sizeof(float), plain.HostRow);
        Assert.True(packed.Scratch >= 128L * 100 * sizeof(float), $"{packed.Scratch}"); // four 32-wide panels of B
    }

    // what the SIMD backend holds after the product, its packed B and each thread's packed block of A and tile, is
    // within the estimate: n = 100 packs a whole A per thread, 1100 blocks deeper and taller than one block of A
    [Theory]
    [InlineData(100)]
    [InlineData(1100)]
    public void TheSimdScratchEstimateHoldsWhatTheProductAllocates(int n)
    {
        foreach (VectorWidth width in VectorWidths.Available)
        {
            using SimdBackend simd = SimdBackend.Create(2, width);
            using FloatBuffer a = simd.Allocate(n * n), b = simd.Allocate(n * n), c = simd.Allocate(n * n);
            simd.Fill(0, a.All);
            simd.Fill(0, b.All);
            simd.DenseForward(a.All, b.All, BufferView.Empty, n, n, n, Activation.Identity, c.All);

            long estimate = GemmMemory.For(simd, n).Scratch;
            Assert.True(simd.ScratchBytes <= estimate, $"{width}: {simd.ScratchBytes} bytes held, {estimate} estimated");
        }
    }

    [Fact]
    public void AProductLargerThanTheMemoryIsRefusedWithWhatItNeedsAndWhatIsAvailable()
    {
        using IBackend reference = Backends.Create("reference");
        GemmMemory memory = GemmMemory.For(reference, 40000); // three operands of 1.6e9 floats: 17.88 GiB

        var e = Assert.Throws<NotEnoughMemoryException>(() => memory.EnsureFits(16L << 30, null, "reference"));

        Assert.Equal("not enough memory: the 40000³ SGEMM needs 17.88 GiB (three operands 17.88 GiB), 16.00 GiB available; "
            + "use a smaller size", e.Message);
        memory.EnsureFits(memory.TotalBytes, null, "reference"); // exactly enough is enough
    }

    [Fact]
    public void ADeviceProductIsCheckedAgainstTheDevicesFreeMemory()
    {
        using IBackend reference = Backends.Create("reference");
        GemmMemory memory = GemmMemory.For(reference, 40000);

        var e = Assert.Throws<NotEnoughMemoryException>(() => memory.EnsureFits(long.MaxValue, 8L << 30, "gpu"));

        Assert.Contains("needs 17.88 GiB on the gpu device", e.Message, StringComparison.Ordinal);
        Assert.Contains("8.00 GiB free there", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASizeWhoseSquareOverflowsABufferIsRefused()
    {
        using IBackend reference = Backends.Create("reference");

        Assert.Equal(46340, GemmMemory.MaxSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmMemory.For(reference, GemmMemory.MaxSize + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmMemory.For(reference, 0));
    }
}
