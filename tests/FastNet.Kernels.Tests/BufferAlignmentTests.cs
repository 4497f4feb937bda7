using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastNet.Kernels.Cpu;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>Every host buffer starts on a 64-byte boundary: one cache line and one Vector512, so no vector load of a
/// whole-vector offset straddles two lines and the speed of a kernel does not depend on where malloc put its operands.</summary>
[Collection(BackendsUnderTest.Collection)]
public class BufferAlignmentTests
{
    // from one float to past glibc's 128 KiB mmap threshold, and odd sizes in between
    public static TheoryData<int> Lengths => [1, 3, 15, 17, 1000, 32_769, 101_770, 1 << 20];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void EveryCpuBufferStartsOnACacheLine(int length)
    {
        foreach (string name in BackendsUnderTest.Names)
        {
            // a fresh instance where one is cheap, so its allocator starts from nothing; else the shared one
            BackendUnderTest bound = BackendsUnderTest.Get(name);
            using IBackend? fresh = bound.CreateAnother?.Invoke();
            IBackend backend = fresh ?? bound.Backend;
            // several at once, so the allocator cannot hand back one block that happens to be aligned
            FloatBuffer[] buffers = [.. Enumerable.Range(0, 5).Select(_ => backend.Allocate(length))];
            try
            {
                Assert.All(buffers, b => Assert.Equal(0, Address(b) % 64));
            }
            finally
            {
                foreach (FloatBuffer b in buffers)
                {
                    b.Dispose();
                }
            }
        }
    }

    /// <summary>A host buffer of 2 MiB or more starts on a 2 MiB boundary, so the kernel can back it with huge pages
    /// (it is offered to them): a GEMM's blocks of C and packed panels then take a few TLB entries, not hundreds.</summary>
    [Theory]
    [InlineData(1 << 19)] // 2 MiB of floats exactly
    [InlineData(3_000_001)]
    public void ACpuBufferOfAHugePageOrMoreStartsOnAHugePage(int length)
    {
        const long HugePage = 2 << 20;
        foreach (string name in BackendsUnderTest.Names)
        {
            IBackend backend = BackendsUnderTest.Get(name).Backend;
            FloatBuffer[] buffers = [.. Enumerable.Range(0, 3).Select(_ => backend.Allocate(length))];
            try
            {
                Assert.All(buffers.Where(b => b is CpuFloatBuffer), b => Assert.Equal(0, Address(b) % HugePage));
            }
            finally
            {
                foreach (FloatBuffer b in buffers)
                {
                    b.Dispose();
                }
            }
        }
    }

    // the first float's address, read without unsafe code
    private static long Address(FloatBuffer buffer) =>
        Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(buffer.All.AsSpan()));
}
