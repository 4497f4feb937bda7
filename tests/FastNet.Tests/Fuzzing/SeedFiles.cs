using System.Globalization;
using System.IO.Compression;
using System.Text;
using FastNet.Checkpoints;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Tests.Fuzzing;

/// <summary>Valid files of each format, made by FastNet's own writers, for the fuzz tests to mutate.</summary>
internal static class SeedFiles
{
    private static readonly NetworkSpec Spec = new(3, [new LayerSpec(4, Activation.Tanh), new LayerSpec(2, Activation.Identity)]);

    /// <summary>A CSV with a header, 3 features and a class label on each of 24 rows.</summary>
    public static string Csv()
    {
        var text = new StringBuilder("x,y,z,label\n");
        for (int r = 0; r < 24; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{r * 0.25},{-r},{r % 5 * 1.5e-3},{r % 3}\n");
        }
        return text.ToString();
    }

    /// <summary>An IDX images file of 5 images of 3×4.</summary>
    public static byte[] IdxImages() => Data.IdxFiles.Images(5, 3, 4, i => (byte)(i * 37));

    /// <summary>An IDX labels file of 5 labels.</summary>
    public static byte[] IdxLabels() => Data.IdxFiles.Labels(3, 1, 4, 1, 5);

    /// <summary><paramref name="data"/> compressed with gzip.</summary>
    public static byte[] Gzip(byte[] data, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, level))
        {
            gzip.Write(data);
        }
        return memory.ToArray();
    }

    /// <summary>A 3-4-2 model file as <see cref="ModelJson.Write"/> writes it.</summary>
    public static byte[] Model(string directory)
    {
        var random = new SeededRandom(5);
        var model = new Model.Model(Spec, [.. Enumerable.Range(0, Spec.ParameterCount).Select(_ => (float)random.NextDouble(-2, 2))]);
        string path = Path.Combine(directory, "seed.json");
        ModelJson.Write(model, path);
        return File.ReadAllBytes(path);
    }

    /// <summary>The checkpoint of a 3-4-2 network after one epoch of Adam, as <see cref="CheckpointFile.Write"/>
    /// writes it.</summary>
    public static Checkpoint TrainedCheckpoint()
    {
        var random = new SeededRandom(7);
        int[] labels = [.. Enumerable.Range(0, 10).Select(i => i % 2)];
        float[] features = [.. Enumerable.Range(0, 30).Select(i => (float)(labels[i / 3] + random.NextDouble(-0.5, 0.5)))];
        var data = new Dataset("pairs", 3, features, 2, Dataset.OneHot(labels, 2), 2, labels);
        var options = new TrainingOptions(1, 4, Shuffle: true, Seed: 3);
        using IBackend backend = Backends.Create("reference");
        Model.Model initial = new Initializer(InitializerKind.Auto).Create(Spec, new SeededRandom(4));
        using var network = new TrainingNetwork(backend, initial, LossKind.SoftmaxCrossEntropy,
            new OptimizerSettings { Kind = OptimizerKind.Adam, LearningRate = 0.05 }, options.BatchSize);
        using var trainer = new Trainer(network, data, null, options);
        trainer.RunEpoch();
        return Checkpoint.Capture(network, trainer, options);
    }

    /// <summary>The bytes of <see cref="TrainedCheckpoint"/> written by <see cref="CheckpointFile.Write"/>.</summary>
    public static byte[] CheckpointBytes(string directory)
    {
        string path = Path.Combine(directory, "seed.ckpt");
        CheckpointFile.Write(TrainedCheckpoint(), path);
        return File.ReadAllBytes(path);
    }
}
