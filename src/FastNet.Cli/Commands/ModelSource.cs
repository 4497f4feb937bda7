using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Cli.Commands;

/// <summary>A model read from a model file (JSON) or a checkpoint, told apart by the checkpoint's magic bytes.</summary>
internal sealed record ModelSource(Model.Model Model, LossKind? Loss, string Path)
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
            return new ModelSource(c.Model, c.Loss, path);
        }
        return new ModelSource(ModelJson.Read(path), null, path);
    }

    /// <summary>The loss to evaluate with: as given, as the checkpoint trained it, or by the usual pairing (an
    /// identity output layer with class labels is softmax cross-entropy; anything else half squared error).</summary>
    public LossKind LossFor(string? given, Dataset data) => given is not null ? Names.ParseLoss(given)
        : Loss ?? (data.IsClassification && Model.Spec.Layers[^1].Activation == Activation.Identity
            ? LossKind.SoftmaxCrossEntropy : LossKind.HalfSquaredError);

    /// <summary>True when the outputs are logits of a softmax (identity output layer with several units).</summary>
    public bool SoftmaxOutputs => Model.Spec.Outputs > 1 && Model.Spec.Layers[^1].Activation == Activation.Identity;
}
