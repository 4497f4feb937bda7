using System.Runtime.InteropServices;

namespace FastNet.Kernels.Cpu;

/// <summary>
/// Native memory for the CPU backends' buffers and scratch. A block of at least <see cref="HugePage"/> bytes is
/// aligned to a huge page and, on Linux, offered to the kernel's transparent huge pages (madvise), which many systems
/// grant only on request: a GEMM's row block of C and its packed panels then span a few TLB entries instead of
/// hundreds. Where the kernel declines, the block is ordinary memory; the contents are the same either way.
/// </summary>
internal static unsafe partial class HostMemory
{
    /// <summary>The huge page size of x86-64 and most arm64 Linux systems.</summary>
    public const nuint HugePage = 2 << 20;

    private const int AdviseHugePage = 14; // MADV_HUGEPAGE

    private static bool _canAdvise = true;

    /// <summary><paramref name="bytes"/> bytes (contents unspecified) aligned to <paramref name="alignment"/> at least;
    /// free with <see cref="Free"/>.</summary>
    public static void* Allocate(nuint bytes, nuint alignment)
    {
        if (bytes < HugePage || !OperatingSystem.IsLinux())
        {
            return NativeMemory.AlignedAlloc(bytes, alignment);
        }
        nuint whole = (bytes + HugePage - 1) & ~(HugePage - 1);
        void* block = NativeMemory.AlignedAlloc(whole, HugePage);
        if (_canAdvise)
        {
            try
            {
                _ = Advise(block, whole, AdviseHugePage); // a refusal leaves ordinary pages, which work the same
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _canAdvise = false; // a C library without madvise: ordinary pages from now on
            }
        }
        return block;
    }

    /// <summary>Frees what <see cref="Allocate"/> returned (null is allowed).</summary>
    public static void Free(void* block) => NativeMemory.AlignedFree(block);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Advise(void* address, nuint length, int advice);
}
