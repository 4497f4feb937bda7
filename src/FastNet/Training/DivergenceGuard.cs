using System.Globalization;

namespace FastNet.Training;

/// <summary>
/// Decides when training has diverged, from the training loss checked several times per epoch.
/// <para>
/// The rule: the reference is the mean loss of the model the run starts from, measured on up to
/// <see cref="ReferenceExamples"/> training examples before the first step. The mean loss of the epoch so far is
/// checked after every window of about a tenth of an epoch (<see cref="ChecksPerEpoch"/>) and at the epoch's end.
/// Training has diverged when that loss is not finite, or when it is more than <see cref="Factor"/> times the
/// reference at <see cref="Patience"/> checks in a row. With a reference of zero only the first condition applies.
/// </para>
/// <para>
/// Why these constants: training lowers the loss below where it started, and even a learning rate high enough to make
/// it oscillate stays within a small multiple of the start; a thousandfold rise held over two windows is a model
/// that has left any useful region (a learning rate of 1e6 gives losses around 1e5 to 1e20 against a start near 2),
/// while a single spiking check is forgiven. The mean of the epoch so far, rather than of the last window alone, is
/// what the trainer's float loss sum can give exactly: after a blow-up of 1e20 the loss of a later window vanishes
/// below the sum's rounding.
/// </para>
/// </summary>
public sealed class DivergenceGuard
{
    /// <summary>How many times the reference the loss may reach.</summary>
    public const double Factor = 1000;

    /// <summary>Consecutive checks above <see cref="Factor"/> times the reference that stop training.</summary>
    public const int Patience = 2;

    /// <summary>Checks per epoch (fewer when an epoch has fewer batches).</summary>
    public const int ChecksPerEpoch = 10;

    /// <summary>Examples the reference loss is measured on (all of them in a smaller training set).</summary>
    public const int ReferenceExamples = 256;

    private int _above;

    /// <summary>The loss the run started from, or null until <see cref="SetReference"/>.</summary>
    public double? ReferenceLoss { get; private set; }

    /// <summary>Batches in one window of an epoch of <paramref name="batchesPerEpoch"/> batches.</summary>
    public static int WindowBatches(int batchesPerEpoch) =>
        Math.Max(1, (batchesPerEpoch + ChecksPerEpoch - 1) / ChecksPerEpoch);

    /// <summary>Consecutive checks so far above <see cref="Factor"/> times the reference (fewer than
    /// <see cref="Patience"/>).</summary>
    public int ChecksAbove => _above;

    /// <summary>Sets the loss of the model the run starts from.</summary>
    public void SetReference(double loss) => ReferenceLoss = loss;

    /// <summary>Continues a run from a checkpoint: the reference its first epoch measured and the checks above it
    /// then, so a resumed run judges its losses as the uninterrupted run would (not against the loss of the
    /// checkpoint's already trained model).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A reference that is negative or not finite, or checks outside
    /// [0, <see cref="Patience"/>).</exception>
    public void Restore(double referenceLoss, int checksAbove)
    {
        if (!(double.IsFinite(referenceLoss) && referenceLoss >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(referenceLoss), referenceLoss, "expected a finite loss of at least 0");
        }
        if (checksAbove is < 0 or >= Patience)
        {
            throw new ArgumentOutOfRangeException(nameof(checksAbove), checksAbove, $"expected 0 to {Patience - 1}");
        }
        ReferenceLoss = referenceLoss;
        _above = checksAbove;
    }

    /// <summary>Takes the mean loss of the epoch so far; returns null while training is sound, else why it has
    /// diverged.</summary>
    public string? Observe(double loss)
    {
        var c = CultureInfo.InvariantCulture;
        if (!double.IsFinite(loss))
        {
            return string.Create(c, $"the training loss is {loss}");
        }
        if (ReferenceLoss is not double reference || !(reference > 0) || loss <= Factor * reference)
        {
            _above = 0;
            return null;
        }
        _above++;
        return _above < Patience
            ? null
            : string.Create(c, $"the training loss is {loss:G4}, more than {Factor:G} times the {reference:G4} "
                + $"it started from, for {Patience} checks in a row");
    }
}
