using System.CommandLine;
using System.Globalization;
using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using FastNet.Verification;

namespace FastNet.Cli.Commands;

/// <summary>
/// <c>fastnet verify</c>: the same initial model and the same batches for k steps on every available backend, each op
/// compared with the reference under the tolerance rule; exit ≠ 0 on any failure.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>The most <c>--steps</c> takes: verify compares a few steps op by op on the slow reference, and a count in
    /// the billions ran for days without a line of output.</summary>
    public const int MaxSteps = 10_000;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var backends = new Option<string?>("--backend") { Description = "comma-separated backends to check (default: every available one)" };
        var steps = new Option<int>("--steps") { Description = $"training steps (1 to {MaxSteps})", DefaultValueFactory = _ => 3 };
        var data = new Option<string?>("--data") { Description = OptionTexts.DataForms + " [default: digits]" };
        var labels = new Option<string?>("--labels") { Description = "with --data x.npy: the labels or targets (.npy)" };
        var targets = new Option<int>("--targets") { Description = "the last k CSV columns are real-valued targets" };
        var layers = new Option<string>("--layers") { Description = "hidden layer sizes", DefaultValueFactory = _ => "64" };
        var activation = new Option<string>("--activation") { Description = "hidden units", DefaultValueFactory = _ => "relu" };
        var loss = new Option<string?>("--loss") { Description = "cross-entropy, half-squared-error or mse" };
        var optimizer = new Option<string>("--optimizer") { Description = "optimizer", DefaultValueFactory = _ => "adam" };
        var batch = new Option<int>("--batch") { Description = "examples per step", DefaultValueFactory = _ => 32 };
        var seed = new Option<ulong>("--seed") { Description = "seeds the model, the batches and the dropout masks", DefaultValueFactory = _ => 1 };
        var dropout = new Option<string>("--dropout")
        {
            Description = "drop rate of the hidden layers (one, or one per hidden layer); the dropout op is compared too",
            DefaultValueFactory = _ => "0.5",
        };
        var command = new Command("verify", "Check every backend against the reference, op by op, for a few training steps")
        {
            backends, steps, data, labels, targets, layers, activation, loss, optimizer, batch, seed, dropout,
        };
        command.SetAction(parse => CliErrors.Guard(error, () =>
        {
            string[] names = parse.GetValue(backends) is string list
                ? NameList.Backends(list)
                : [.. Backends.Available.Select(d => d.Name).Where(n => n != "reference")];
            string? path = parse.GetValue(data);
            // loaded and scaled as train loads it; verify needs examples, not a held-out split
            Dataset set = DataSplits.Load(
                new DataRequest(path ?? DataRequest.Digits, parse.GetValue(targets), 0, 0, parse.GetValue(seed),
                    Labels: parse.GetValue(labels)), "auto").Train;
            LossKind lossKind = parse.GetValue(loss) is string lossName ? Names.ParseLoss(lossName)
                : set.IsClassification ? LossKind.SoftmaxCrossEntropy : LossKind.HalfSquaredError;
            Activation hidden = Names.ParseActivation(parse.GetValue(activation)!);
            Activation outputActivation = lossKind == LossKind.HalfSquaredError ? Activation.Sigmoid : Activation.Identity;
            var spec = new NetworkSpec(set.FeatureCount, [.. TrainingPlan.ParseLayers(parse.GetValue(layers)!)
                .Select(u => new LayerSpec(u, hidden)).Append(new LayerSpec(set.TargetCount, outputActivation))]);
            ulong s = parse.GetValue(seed);
            var settings = new OptimizerSettings { Kind = Names.ParseOptimizer(parse.GetValue(optimizer)!) };
            int rows = Math.Min(parse.GetValue(batch), set.Count);
            int k = parse.GetValue(steps);
            if (rows <= 0 || k <= 0)
            {
                throw new ArgumentException("--batch and --steps must be positive");
            }
            if (k > MaxSteps)
            {
                throw new ArgumentException($"--steps: expected a number from 1 to {MaxSteps}, found {k}");
            }
            // every copy the verifier compares is a host array: checked before the model is drawn
            VerifyMemory.For(spec, settings.Kind, rows).EnsureFits(AvailableMemory.HostBytes(), null, "reference");
            Model.Model model = new Initializer(InitializerKind.Auto).Create(spec, new SeededRandom(s));
            var batches = Batches(set, rows, k, s);
            var rates = new DropoutRates(DropoutRates.Parse(parse.GetValue(dropout)!, Math.Max(spec.Layers.Count - 1, 1))
                .Take(spec.Layers.Count - 1).ToArray(), s);

            output.WriteLine($"fastnet verify: {spec} ({Names.Of(hidden)}), {Names.Of(lossKind)}, {Names.Of(settings.Kind)}, "
                + $"batch {rows}, {k} steps, dropout {(rates.Any ? rates.Text : "none")}, each op given the reference's inputs; tolerance |x - ref| <= "
                + $"atol + (K + {Tolerance.ElementwiseSlack})·u·Σ|terms|, u = 2^-24");
            if (names.Length == 0)
            {
                output.WriteLine("only the reference backend is available here: nothing to compare");
                return 0;
            }
            bool allPassed = true;
            using IBackend reference = Backends.Create("reference");
            foreach (string name in names)
            {
                using IBackend candidate = Backends.Create(name);
                var verifier = new BackendVerifier(model, lossKind, settings, rates);
                verifier.Run(reference, candidate, batches);
                Print(output, candidate.Name, verifier);
                allPassed &= verifier.Passed;
            }
            output.WriteLine(allPassed ? "verify: PASS" : "verify: FAIL");
            return allPassed ? 0 : FastNetCli.Failure;
        }));
        return command;
    }

    // Each step's batch is gathered as the verifier reaches it, not all of them up front: memory holds one batch
    // whatever --steps is (the steps' rows, held at once, exhausted memory). The index is a long: steps × rows passes
    // int's range on a large set.
    private static IEnumerable<(float[] X, float[] T, int Rows)> Batches(Dataset set, int rows, int steps, ulong seed)
    {
        int[] order = DataSplitter.Permutation(set.Count, seed);
        for (int s = 0; s < steps; s++)
        {
            Dataset part = set.Subset([.. Enumerable.Range(0, rows).Select(r => order[((long)s * rows + r) % set.Count])],
                set.Name);
            yield return (part.Features, part.Targets, rows);
        }
    }

    private static void Print(TextWriter output, string backend, BackendVerifier verifier)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"{backend} vs reference");
        output.WriteLine($"{"where",-10} {"quantity",-18} {"max abs diff",12} {"max rel diff",12} {"diff/allowed",12}  result");
        foreach (Discrepancy d in verifier.Results)
        {
            output.WriteLine(string.Create(c,
                $"{d.Layer,-10} {d.Quantity,-18} {d.MaxAbsolute,12:0.00E+00} {d.MaxRelative,12:0.00E+00} {d.WorstRatio,12:F3}  {(d.Passed ? "pass" : "FAIL")}"));
        }
    }
}
