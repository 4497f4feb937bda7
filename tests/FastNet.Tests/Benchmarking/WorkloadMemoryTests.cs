using System.Runtime.InteropServices;
using FastNet.Benchmarking;
using FastNet.Kernels;
using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Tests.Benchmarking;

/// <summary>Tests that read or reset this process's peak resident memory run alone, so no other test's
/// allocations land in their measurements.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResidentMemoryCollection
{
    public const string Name = "resident memory";
}

/// <summary><c>fastnet bench</c>'s memory figures: the size computed from the network and the peak per workload.</summary>
[Collection(ResidentMemoryCollection.Name)]
public class WorkloadMemoryTests
{
    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void ComputedSizeOfASmallWorkloadIsTheSumOfItsBuffers(string backendName)
    {
        // 20-16-4 with Adam (two state slots per parameter), batch 8, on 256 synthetic examples
        var workload = new Workload("small", [20, 16, 4], Activation.Tanh, LossKind.SoftmaxCrossEntropy, OptimizerKind.Adam, 8);
        using IBackend backend = Backends.Create(backendName);

        MemoryBreakdown m = WorkloadTimer.Run(backend, workload, repeats: 1, secondsPerRepeat: 0.01).Memory.Computed;

        const long parameters = 20 * 16 + 16 + (16 * 4) + 4; // 404
        Assert.Equal(4 * parameters, m.Parameters);
        Assert.Equal(4 * parameters, m.Gradients);
        Assert.Equal(4 * 2 * parameters, m.OptimizerState);
        Assert.Equal(4 * 2 * 8 * (16 + 4), m.ActivationsAndDeltas);
        Assert.Equal(4 * 8 * (20 + 4), m.Batch);
        Assert.Equal(4 * 256 * (20 + 4 + 1), m.Dataset); // features, targets and one row index per example
        if (backend is SimdBackend simd)
        {
            Assert.True(m.Scratch > 0, "the SIMD backend packs GEMM operands into scratch buffers");
            Assert.Equal(simd.ScratchBytes, m.Scratch);
        }
        else
        {
            Assert.Equal(0, m.Scratch);
        }
        Assert.Equal((4 * parameters * 4) + 1280 + 768 + 25600 + m.Scratch, m.Total);
    }

    [Theory]
    [MemberData(nameof(BackendCases.Names), MemberType = typeof(BackendCases))]
    public void ComputedSizeOfAGeluWorkloadCountsTheHiddenLayersPreActivations(string backendName)
    {
        // 20-16-4, GELU hidden units (their derivative needs Z), identity output, batch 8
        var workload = new Workload("gelu", [20, 16, 4], Activation.Gelu, LossKind.SoftmaxCrossEntropy, OptimizerKind.Sgd, 8);
        using IBackend backend = Backends.Create(backendName);

        MemoryBreakdown m = WorkloadTimer.Run(backend, workload, repeats: 1, secondsPerRepeat: 0.01).Memory.Computed;

        // A and dZ of both layers, and Z of the GELU layer only
        Assert.Equal(4 * 8 * ((2 * (16 + 4)) + 16), m.ActivationsAndDeltas);
    }

    [Fact]
    public void PeakOfAWorkloadAfterABigAllocationIsItsOwnNotTheEarlierHighWaterMark()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/clear_refs"))
        {
            return; // no per-workload peak to check; the report says why instead
        }
        // a high-water mark of at least 1 GiB: touch every page, then give it back
        const int big = 1 << 30;
        IntPtr block = Marshal.AllocHGlobal(big);
        for (int offset = 0; offset < big; offset += 4096)
        {
            Marshal.WriteByte(block, offset, 1);
        }
        Marshal.FreeHGlobal(block);
        long earlier = ResidentMemory.PeakBytes()!.Value;
        Assert.True(earlier >= big, $"VmHWM {earlier >> 20} MiB after touching 1 GiB");

        // about 100 MiB: a 68 MiB dataset, 17 MiB of activations, a 17 MiB batch
        var workload = new Workload("medium", [512, 256, 10], Activation.Relu, LossKind.SoftmaxCrossEntropy, OptimizerKind.Sgd, 8192);
        using IBackend backend = Backends.Create("simd");
        ResidentMemory.Settle();
        long? anonymousBaseline = ResidentMemory.AnonymousBytes();
        WorkloadMemory m = WorkloadTimer.Run(backend, workload, repeats: 1, secondsPerRepeat: 0.01).Memory;

        Assert.Null(m.PeakUnavailable);
        long peak = m.PeakBytes!.Value;
        Assert.True(peak < earlier - (big / 2), $"peak {peak >> 20} MiB is the earlier high-water mark {earlier >> 20} MiB");
        // the workload's buffers are written, so resident: the peak holds them on top of the baseline's anonymous
        // memory (its mapped files' pages may be reclaimed by the kernel meanwhile, which was seen on a loaded machine)
        long kept = anonymousBaseline ?? m.BaselineBytes;
        Assert.True(peak >= kept + m.Computed.Total - (8 << 20),
            $"peak {peak >> 20} MiB < baseline {kept >> 20} MiB (anonymous) + computed {m.Computed.Total >> 20} MiB");
        Assert.True(Math.Abs(m.DifferenceBytes!.Value) < 32 << 20,
            $"{m.DifferenceBytes >> 20} MiB unaccounted for (peak {peak >> 20}, baseline {m.BaselineBytes >> 20}, computed {m.Computed.Total >> 20})");
    }
}
