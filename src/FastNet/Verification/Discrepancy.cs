using FastNet.Kernels;

namespace FastNet.Verification;

/// <summary>
/// How far one tensor computed by a candidate backend is from the reference's: the largest absolute and relative
/// differences, and the largest ratio of a difference to what <see cref="Tolerance"/> allows for that element
/// (≤ 1 passes).
/// </summary>
public sealed class Discrepancy(string layer, string quantity)
{
    /// <summary>"layer 2", "loss", "optimizer".</summary>
    public string Layer { get; } = layer;

    /// <summary>"activations", "dW", ...</summary>
    public string Quantity { get; } = quantity;

    /// <summary>max |candidate − reference|.</summary>
    public double MaxAbsolute { get; private set; }

    /// <summary>max |candidate − reference| / |reference| over elements with a non-zero reference.</summary>
    public double MaxRelative { get; private set; }

    /// <summary>max |candidate − reference| / allowed.</summary>
    public double WorstRatio { get; private set; }

    /// <summary>Elements compared.</summary>
    public long Count { get; private set; }

    /// <summary>True when every element was within its bound (and non-finite values matched).</summary>
    public bool Passed { get; private set; } = true;

    /// <summary>Adds one element: the candidate's value, the reference's, the reduction length and the absolute sum of
    /// the terms behind it (see <see cref="Tolerance.Bound"/>).</summary>
    public void Add(double candidate, double reference, int k, double absoluteSum)
    {
        Count++;
        if (!Tolerance.Within(candidate, reference, k, absoluteSum))
        {
            Passed = false;
        }
        double difference = Math.Abs(candidate - reference);
        if (double.IsNaN(difference))
        {
            difference = double.PositiveInfinity;
        }
        MaxAbsolute = Math.Max(MaxAbsolute, difference);
        if (reference != 0)
        {
            MaxRelative = Math.Max(MaxRelative, difference / Math.Abs(reference));
        }
        WorstRatio = Math.Max(WorstRatio, difference / Tolerance.Bound(k, absoluteSum));
    }

    /// <summary>Adds every element of a tensor that must equal the reference bit for bit (a fused op against its own
    /// composition on the same backend): any difference fails, and the worst ratio is then infinite.</summary>
    public void AddExact(ReadOnlySpan<float> candidate, ReadOnlySpan<float> reference)
    {
        for (int e = 0; e < reference.Length; e++)
        {
            Count++;
            if (BitConverter.SingleToInt32Bits(candidate[e]) == BitConverter.SingleToInt32Bits(reference[e]))
            {
                continue;
            }
            Passed = false;
            double difference = Math.Abs((double)candidate[e] - reference[e]);
            MaxAbsolute = Math.Max(MaxAbsolute, double.IsNaN(difference) ? double.PositiveInfinity : difference);
            WorstRatio = double.PositiveInfinity;
        }
    }

    /// <summary>Adds every element of a tensor, each held to its bound in <paramref name="bounds"/>.</summary>
    public void AddAll(ReadOnlySpan<float> candidate, ReadOnlySpan<float> reference, ElementBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        for (int e = 0; e < reference.Length; e++)
        {
            Add(candidate[e], reference[e], bounds.K, bounds.Sums[e]);
        }
    }
}
