using Xunit;

namespace FastNet.Kernels.Tests;

/// <summary>
/// The correct count of one Loss call past 2²⁴ rows is added to the metrics' count and rounded to float once:
/// 1 + (2²⁴ + 1) = 2²⁴ + 2, a float; rounding the call's count first (to 2²⁴) and then the sum (2²⁴ + 1, a tie, to
/// 2²⁴) loses both rows. One output, so every row is correct; outputs and targets are the same zeros.
/// </summary>
[Collection(BackendsUnderTest.Collection)]
public class LossCountTests
{
    public static TheoryData<string> Candidates => BackendsUnderTest.Candidates;

    [Theory]
    [MemberData(nameof(Candidates))]
    public void LossCountPast2To24IsAddedExactly(string name) =>
        Assert.Equal([0, (1 << 24) + 2], CountOnto(BackendsUnderTest.Get(name).Backend, 1));

    /// <summary>The metrics after a half-squared-error Loss over 2²⁴ + 1 correct rows of zero loss, from
    /// [0, <paramref name="countBefore"/>].</summary>
    public static float[] CountOnto(IBackend backend, float countBefore)
    {
        const int batch = (1 << 24) + 1;
        using FloatBuffer rows = backend.Allocate(batch), metrics = Host.Upload(backend, [0, countBefore]);
        backend.Fill(0, rows.All);
        backend.Loss(rows.All, rows.All, batch, 1, LossKind.HalfSquaredError, BufferView.Empty, metrics.All);
        return Host.Download(backend, metrics.All);
    }
}
