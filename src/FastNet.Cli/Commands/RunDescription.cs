using System.Globalization;
using FastNet.Kernels;
using FastNet.Kernels.Reference;
using FastNet.Kernels.Simd;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary>How <c>fastnet train</c>'s header line names the network, the batch and the optimizer.</summary>
internal static class RunDescription
{
    /// <summary>The layers' activations, e.g. "relu, identity", with layers without biases marked.</summary>
    public static string Layers(NetworkSpec spec) =>
        string.Join(", ", spec.Layers.Select(l => Names.Of(l.Activation) + (l.HasBias ? "" : " (no bias)")));

    /// <summary>The backend's name, with its CPU threads for a CPU backend: "simd (2 threads)", "reference (1 thread)".</summary>
    public static string Backend(IBackend backend) => backend switch
    {
        SimdBackend simd => string.Create(CultureInfo.InvariantCulture, $"{simd.Name} ({simd.Threads} thread{(simd.Threads == 1 ? "" : "s")})"),
        ReferenceBackend reference => $"{reference.Name} (1 thread)",
        _ => backend.Name,
    };

    /// <summary>The learning-rate schedule, with its warm-up when there is one: "cosine with 5-step warm-up".</summary>
    public static string Schedule(LearningRateSchedule schedule) => schedule.WarmupSteps > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{schedule} with {schedule.WarmupSteps}-step warm-up")
        : schedule.ToString();

    /// <summary>"256", or "256 (4 micro-batches of 64)" with gradient accumulation ("of up to" when K does not divide
    /// the batch), with the count the batch is really taken as: K micro-batches of ⌈B/K⌉ rows may need fewer than K,
    /// "10 (5 micro-batches of 2; --accumulate 7 leaves ⌈10/7⌉ = 2 rows each)".</summary>
    public static string Batch(TrainingOptions t) => t.Accumulate == 1
        ? t.BatchSize.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture,
            $"{t.BatchSize} ({MicroBatches(t.BatchSize, t.Accumulate, t.MicroBatchCount, t.MicroBatchSize)})");

    /// <summary>"4 micro-batches of 64", "3 micro-batches of up to 6", or, where K micro-batches of ⌈B/K⌉ rows are
    /// fewer than K, "5 micro-batches of 2; --accumulate 7 leaves ⌈10/7⌉ = 2 rows each".</summary>
    public static string MicroBatches(int batch, int accumulate, int count, int rows)
    {
        var c = CultureInfo.InvariantCulture;
        string text = string.Create(c, $"{count} micro-batches of {(batch % rows == 0 ? "" : "up to ")}{rows}");
        return count == accumulate ? text
            : text + string.Create(c, $"; --accumulate {accumulate} leaves ⌈{batch}/{accumulate}⌉ = {rows} rows each");
    }

    /// <summary>The optimizer with the hyperparameters it uses, e.g. "adam lr 0.001 betas (0.9, 0.999) eps 1E-08".</summary>
    public static string Optimizer(OptimizerSettings s)
    {
        var c = CultureInfo.InvariantCulture;
        string text = string.Create(c, $"{Names.Of(s.Kind)} lr {s.LearningRate:G4}");
        text += s.Kind switch
        {
            OptimizerKind.Momentum or OptimizerKind.Nesterov => string.Create(c, $" momentum {s.Momentum:G4}"),
            OptimizerKind.Lars => string.Create(c, $" momentum {s.Momentum:G4} trust coefficient {s.TrustCoefficient:G4}"),
            OptimizerKind.Adam or OptimizerKind.Nadam or OptimizerKind.Lamb => string.Create(c, $" betas ({s.Beta1:G4}, {s.Beta2:G4}) eps {s.Epsilon:G3}"),
            OptimizerKind.RmsProp => string.Create(c, $" alpha {s.Beta2:G4} eps {s.Epsilon:G3}"),
            OptimizerKind.Adagrad => string.Create(c, $" eps {s.Epsilon:G3}"),
            _ => "",
        };
        return s.WeightDecay > 0 ? string.Create(c, $"{text} weight decay {s.WeightDecay:G3}") : text;
    }
}
