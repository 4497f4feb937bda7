using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;

namespace FastNet.Cli.Commands;

/// <summary>A model read from a model file (JSON) or a checkpoint, told apart by their first bytes, or from an ONNX
/// file (by its .onnx extension).</summary>
internal sealed record ModelSource(Model.Model Model, string Path)
{
    public static ModelSource Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            return new ModelSource(Onnx.OnnxImport.Read(path), path);
        }
        // One opening for the look at the first bytes and the read: a second would find a pipe's first bytes gone.
        using GuardedStream stream = GuardedFile.OpenRead(path, CheckpointFile.MaxBytes,
            (problem, inner) => new ModelFormatException($"{path}: {problem}", inner), decompress: false);
        ReadOnlySpan<byte> head = stream.Peek(CheckpointFile.Magic.Length);
        if (LooksLikeCheckpoint(head))
        {
            Checkpoint c = CheckpointFile.Read(stream, path);
            // the checkpoint keeps the training set's checksum beside the model's data record
            ModelMetadata metadata = c.Model.Metadata;
            return new ModelSource(metadata.Data is TrainingDataSource data && c.TrainingDataSha256 is string checksum
                ? c.Model.WithMetadata(metadata with { Data = data with { TrainingSha256 = checksum } }) : c.Model, path);
        }
        if (!IsText(head))
        {
            throw new ModelFormatException($"{path}: not a FastNet model file or checkpoint (it starts with the bytes " +
                $"{Convert.ToHexString(head)}, neither JSON text nor \"FNETCKPT\")");
        }
        return new ModelSource(ModelJson.Read(stream, path), path);
    }

    // Half the magic in place is a checkpoint with a damaged start, better reported as such than as bad JSON.
    private static bool LooksLikeCheckpoint(ReadOnlySpan<byte> head)
    {
        int same = 0;
        for (int i = 0; i < head.Length; i++)
        {
            same += head[i] == CheckpointFile.Magic[i] ? 1 : 0;
        }
        return same >= CheckpointFile.Magic.Length / 2;
    }

    // JSON text: printable ASCII, whitespace, or the bytes of UTF-8 (a byte-order mark included).
    private static bool IsText(ReadOnlySpan<byte> head)
    {
        foreach (byte b in head)
        {
            if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) || b == 0x7f)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The loss to evaluate with: as given, as the model was trained, or (for files that do not record it)
    /// by the usual pairing: an identity output layer is softmax cross-entropy with class labels and mean squared
    /// error with real-valued targets; a squashing output layer is half squared error.</summary>
    public LossKind LossFor(string? given, Dataset data) => given is not null ? Names.ParseLoss(given)
        : Model.Metadata.Loss ?? (Model.Spec.Layers[^1].Activation != Activation.Identity ? LossKind.HalfSquaredError
            : data.IsClassification ? LossKind.SoftmaxCrossEntropy : LossKind.MeanSquaredError);

    /// <summary>True when the outputs are logits of a softmax: trained with cross-entropy, or for files that do not
    /// record the loss, an identity output layer with several units.</summary>
    public bool SoftmaxOutputs => Model.Metadata.Loss is LossKind loss
        ? loss == LossKind.SoftmaxCrossEntropy
        : Model.Spec.Outputs > 1 && Model.Spec.Layers[^1].Activation == Activation.Identity;

    /// <summary>The class names the model records, else "0", "1", ... for <paramref name="count"/> classes.</summary>
    public IReadOnlyList<string> ClassNames(int count) => Model.Metadata.ClassNames
        ?? ModelMetadata.NumberedClasses(count);
}
