using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Cli.Commands;

/// <summary>A model read from a model file (JSON) or a checkpoint, told apart by the checkpoint's magic bytes.</summary>
internal sealed record ModelSource(Model.Model Model, string Path)
{
    public static ModelSource Load(string path)
    {
        bool checkpoint;
        try
        {
            using FileStream stream = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[8];
            checkpoint = stream.ReadAtLeast(magic, 8, throwOnEndOfStream: false) == 8 && magic.SequenceEqual("FNETCKPT"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the model ({e.Message})", e);
        }
        if (checkpoint)
        {
            Checkpoint c = CheckpointFile.Read(path);
            return new ModelSource(c.Model, path);
        }
        return new ModelSource(ModelJson.Read(path), path);
    }

    /// <summary>The loss to evaluate with: as given, as the model was trained, or (for files that do not record it)
    /// by the usual pairing: an identity output layer with class labels is softmax cross-entropy; anything else half
    /// squared error.</summary>
    public LossKind LossFor(string? given, Dataset data) => given is not null ? Names.ParseLoss(given)
        : Model.Metadata.Loss ?? (data.IsClassification && Model.Spec.Layers[^1].Activation == Activation.Identity
            ? LossKind.SoftmaxCrossEntropy : LossKind.HalfSquaredError);

    /// <summary>True when the outputs are logits of a softmax: trained with cross-entropy, or for files that do not
    /// record the loss, an identity output layer with several units.</summary>
    public bool SoftmaxOutputs => Model.Metadata.Loss is LossKind loss
        ? loss == LossKind.SoftmaxCrossEntropy
        : Model.Spec.Outputs > 1 && Model.Spec.Layers[^1].Activation == Activation.Identity;

    /// <summary>The class names the model records, else "0", "1", ... for <paramref name="count"/> classes.</summary>
    public IReadOnlyList<string> ClassNames(int count) => Model.Metadata.ClassNames
        ?? [.. Enumerable.Range(0, count).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
