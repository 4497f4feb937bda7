using FastNet.Kernels.Simd;
using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// A loop that loads or stores the same first lanes at every step makes their mask once
/// (<see cref="IVec{TSelf}.FirstLanes"/>) and passes it to the masked overloads: they must load and store exactly what
/// the count overloads do, at every width, the widths whose masks are copies through the stack included (there the
/// interface's defaults recover the count from the mask).
/// </summary>
public unsafe class MaskedLanesTests
{
    [Fact]
    public void AMaskOfTheFirstLanesLoadsAndStoresWhatItsCountDoes()
    {
        foreach (VectorWidth width in VectorWidths.Available)
        {
            switch (width)
            {
                case VectorWidth.Bits512: Check<V512>(); break;
                case VectorWidth.Bits256: Check<V256>(); break;
                case VectorWidth.Bits128: Check<V128>(); break;
                default: Check<V1>(); break;
            }
        }
    }

    private static void Check<TV>() where TV : unmanaged, IVec<TV>
    {
        const float Untouched = -7.5f;
        float* source = stackalloc float[TV.Count];
        for (int i = 0; i < TV.Count; i++)
        {
            source[i] = i + 1.25f;
        }
        float* byCount = stackalloc float[TV.Count];
        float* byMask = stackalloc float[TV.Count];
        for (int count = 0; count < TV.Count; count++)
        {
            TV mask = TV.FirstLanes(count);
            TV.Store(TV.LoadFirst(source, count), byCount);
            TV.Store(TV.LoadFirst(source, mask), byMask);
            for (int i = 0; i < TV.Count; i++)
            {
                Assert.True(byCount[i] == byMask[i],
                    $"{TV.Width}, {count} lanes: lane {i} loaded {byMask[i]}, not {byCount[i]}");
                Assert.Equal(i < count ? source[i] : 0f, byMask[i]);
            }

            new Span<float>(byCount, TV.Count).Fill(Untouched);
            new Span<float>(byMask, TV.Count).Fill(Untouched);
            TV.StoreFirst(TV.Load(source), byCount, count);
            TV.StoreFirst(TV.Load(source), byMask, mask);
            for (int i = 0; i < TV.Count; i++)
            {
                Assert.True(byCount[i] == byMask[i],
                    $"{TV.Width}, {count} lanes: lane {i} stored {byMask[i]}, not {byCount[i]}");
                Assert.Equal(i < count ? source[i] : Untouched, byMask[i]);
            }
        }
    }
}
