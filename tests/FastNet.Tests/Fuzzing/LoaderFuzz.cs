using Xunit;

namespace FastNet.Tests.Fuzzing;

/// <summary>
/// Feeds mutated files to one loader and checks how each attempt ends: a load, or the loader's own format exception
/// naming the file; never another exception, and never more managed memory allocated than
/// <see cref="AllocationBound"/> (counted for the test's thread, so parallel tests do not disturb it).
/// </summary>
internal sealed class LoaderFuzz<TFormatException>(string path, Action<string> load) where TFormatException : Exception
{
    /// <summary>Allocations allowed per attempt: the fuzzed files are a few kilobytes, so a loader that stays within
    /// this reads what the file holds, not what it claims or what a stream would go on to yield.</summary>
    public const long AllocationBound = 32 << 20;

    public int Loaded { get; private set; }

    public int Refused { get; private set; }

    /// <summary>Writes <paramref name="bytes"/> to the path and loads it.</summary>
    public void Attempt(byte[] bytes, string what)
    {
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            load(path);
            Loaded++;
        }
        catch (TFormatException e)
        {
            Refused++;
            Assert.True(e.Message.Contains(path, StringComparison.Ordinal), $"{what}: the message does not name the file: {e.Message}");
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} escaped the loader: {e}");
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= AllocationBound, $"{what}: {allocated} bytes allocated for a {bytes.Length}-byte file");
    }

    /// <summary>Checks that the run tried both sides: some mutations loaded or all were meant to fail, and some were
    /// refused.</summary>
    public void AssertExercised(int attempts, bool someLoad = true)
    {
        Assert.Equal(attempts, Loaded + Refused);
        Assert.True(Refused > 0, "no mutation was refused");
        Assert.True(!someLoad || Loaded > 0, "no mutation loaded: the fuzzing never reached the end of the format");
    }
}
