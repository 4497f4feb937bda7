using FastNet.Kernels.Cpu;

namespace FastNet.Kernels.Simd;

/// <summary>
/// The weight matrices that the backward sweep (<see cref="BackwardSgdSweep{TV}"/>) updated last by rows (a layer with
/// dX), by address. The sweep's threads write W's rows from both ends, the calling thread the first rows and the worker
/// the last, so the next forward pass through such a W reads it by those row halves (<see cref="Gemm{TV}"/>'s depth
/// halves) and each row is read on the core whose cache holds it. A few entries, overwritten in turn: an entry
/// forgotten too early or kept too long costs speed only, since either split gives the same bits.
/// </summary>
internal sealed unsafe class SweptWeights
{
    private readonly nint[] _addresses = new nint[8];
    private int _next;

    /// <summary>Notes that the sweep has just updated the W at <paramref name="w"/>.</summary>
    public void Remember(float* w)
    {
        if (!Contains(w))
        {
            _addresses[_next] = (nint)w;
            _next = (_next + 1) % _addresses.Length;
        }
    }

    /// <summary>Whether the W at <paramref name="w"/> was last updated by the sweep, as far as this knows.</summary>
    public bool Contains(float* w) => Array.IndexOf(_addresses, (nint)w) >= 0;

    /// <summary>Forgets each W that starts in <paramref name="parameters"/>: another pass updated it since.</summary>
    public void ForgetWithin(BufferView parameters)
    {
        nint start = (nint)parameters.Pointer(), end = start + ((nint)parameters.Length * sizeof(float));
        for (int i = 0; i < _addresses.Length; i++)
        {
            if (_addresses[i] >= start && _addresses[i] < end)
            {
                _addresses[i] = 0;
            }
        }
    }
}
