using System.CommandLine;
using System.Globalization;
using FastNet.Checkpoints;
using FastNet.Cli.Reporting;
using FastNet.Data;
using FastNet.Distributed;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet.Cli.Commands;

/// <summary><c>fastnet train</c>: loads data, builds, loads or resumes a model, trains it and reports every epoch.</summary>
internal static class TrainCommand
{
    /// <summary>Where an interrupted run (SIGINT, SIGTERM) or a failed output keeps its state when no --checkpoint
    /// takes it.</summary>
    public const string InterruptedCheckpoint = "fastnet-interrupted.ckpt";

    // where a run whose --save fails keeps its trained state first
    private static string SaveRescue(string savePath) => savePath + ".ckpt";

    public static Command Create(TextWriter output, TextWriter error, ICommunicator? ranks = null)
    {
        var options = new TrainOptions();
        var command = new Command("train", "Train a network (with no options: the embedded 8x8 digits, 64-64-10)");
        foreach (Option option in options.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => CliErrors.Guard(error, () => DataParallelRun.Run(ranks, parse.GetValue(options.Mpi), error,
            r => Run(parse, options, DataParallelRun.Output(r, output), error, r))));
        return command;
    }

    private static int Run(ParseResult parse, TrainOptions o, TextWriter output, TextWriter error, ICommunicator ranks)
    {
        // Everything that can be checked is checked before any work, so a bad option never costs a training run.
        // Under data parallelism only rank 0 writes files, notes and warnings (every rank reads the same data, so
        // they would repeat); an error names the rank it happened on.
        TextWriter notices = DataParallelRun.Output(ranks, error);
        if (parse.GetValue(o.Threads) is int threads && threads > TrainOptions.MaxThreads)
        {
            throw new ArgumentException($"--threads: expected at most {TrainOptions.MaxThreads} threads "
                + $"({TrainOptions.ThreadsPerCore} per core, {Environment.ProcessorCount} cores here), got {threads}");
        }
        // the backend is built once the data is read, but a name or thread count it would refuse is refused now
        Backends.Registry.Resolve(parse.GetValue(o.Backend)!, parse.GetValue(o.Threads));
        string? savePath = DataParallelRun.OnRoot(ranks, parse.GetValue(o.Save));
        string? checkpointPath = DataParallelRun.OnRoot(ranks, parse.GetValue(o.Checkpoint));
        string? metricsPath = DataParallelRun.OnRoot(ranks, parse.GetValue(o.Metrics));
        string? plotPath = DataParallelRun.OnRoot(ranks, parse.GetValue(o.Plot));
        (string? Path, string Option)[] outputs = [(savePath, "--save"), (checkpointPath, "--checkpoint"),
            (metricsPath, "--metrics"), (plotPath, "--plot")];
        foreach ((string? path, string option) in outputs)
        {
            OutputTarget.CheckWritable(path, option);
        }
        OutputTarget.CheckDistinct(outputs);
        // the outputs are written after the inputs are read: one naming an input would replace the data or model the
        // run is made from; --checkpoint naming --resume's file is how a resumed run goes on
        OutputTarget.CheckNotInputs(outputs, [(parse.GetValue(o.Data), "--data"), (parse.GetValue(o.Labels), "--labels"),
            (parse.GetValue(o.Init), "--init"), (parse.GetValue(o.Resume), "--resume")], ("--checkpoint", "--resume"));
        if (savePath is not null)
        {
            // --checkpoint and --resume hold the same run's state, which the rescue may replace with a later one
            OutputTarget.CheckRescue(SaveRescue(savePath), savePath, "--save", [(metricsPath, "--metrics"),
                (plotPath, "--plot"), (parse.GetValue(o.Data), "--data"), (parse.GetValue(o.Labels), "--labels"),
                (parse.GetValue(o.Init), "--init")]);
        }
        using RunLock? claim = checkpointPath is null ? null : RunLock.Acquire(checkpointPath);
        string? resumePath = parse.GetValue(o.Resume);
        // rank 0 reads the checkpoint it wrote and hands it on: other hosts need no copy of it
        Checkpoint? resume = resumePath is null ? null : RootInput.Read(ranks, () => CheckpointFile.Read(resumePath),
            CheckpointFile.Serialize, bytes => CheckpointFile.Deserialize(bytes, resumePath));
        TrainingPlan plan = resume is null ? TrainingPlan.FromOptions(parse, o) : TrainingPlan.FromCheckpoint(parse, o, resume, resumePath!);
        // a resumed run keeps the patience its checkpoint records (another is refused with the other conflicts)
        bool patienceGiven = parse.GetResult(o.EarlyStopping) is { Implicit: false };
        int earlyStopping = resume?.EarlyStopping is EarlyStoppingState recorded && !patienceGiven
            ? recorded.Patience : parse.GetValue(o.EarlyStopping);
        GradientAllReduce allReduce = GradientAllReduceNames.Parse(parse.GetValue(o.AllReduce)!);

        DataRequest request = plan.DataRequest(parse, o, resume);
        string? explicitScale = parse.GetResult(o.Scale) is { Implicit: false } ? parse.GetValue(o.Scale) : null;
        SetSizes? declared;
        DataSplits data;
        try
        {
            // The first line as soon as the sets' sizes are known: before the data is read where its headers declare them.
            declared = DataSplits.Declared(request);
            if (declared is not null)
            {
                output.WriteLine(FirstLine(declared));
            }
            data = resume is null
                ? DataSplits.Load(request, parse.GetValue(o.Scale)!, notices: notices)
                : ModelInputs.Load(new ModelSource(resume.Model, resumePath!), request, explicitScale,
                    message => notices.WriteLine($"fastnet: note: {message}"), notices);
        }
        catch (DataFormatException e) when (resume is not null && parse.GetValue(o.Data) is null
            && ModelInputs.RecordedFile(resume.Model, e.File))
        {
            throw ModelInputs.FromRecord(resumePath!, e, "give --data where that data is now");
        }
        if (declared is null)
        {
            output.WriteLine(FirstLine(data.Sizes));
        }
        else
        {
            DataSplits.RequireDeclaredSizes(declared, data.Sizes, request.Source);
        }
        if (earlyStopping < 0 || (earlyStopping > 0 && data.Validation is null))
        {
            throw new ArgumentException("--early-stopping: expected a positive patience, with --validation-fraction > 0");
        }
        int batch = plan.BatchSize(data.Train.Count);
        if (resume is not null)
        {
            ResumeConflicts.RequireSameBatch(parse, o, resume, resumePath!, batch, data.Train.Count);
        }
        TrainingOptions training = plan.Training with { BatchSize = batch };
        training.Validate();
        WarmupCheck.WarnIfLongerThanRun(training, data.Train.Count, notices);
        if (resume is not null)
        {
            ResumePosition.Require(resume.Position, training.StepsPerEpoch(data.Train.Count), resumePath!);
        }
        // before the backend, the model and the trainer are made
        output.WriteLine($"preprocessing {data.Scaling.Describe()}");

        using IBackend backend = Backends.Create(parse.GetValue(o.Backend)!, parse.GetValue(o.Threads));
        // Sizes are checked against the memory available before the parameters are drawn or the network allocated.
        Action<NetworkSpec> ensureFits = spec => TrainingMemory.ForTraining(backend, spec, plan.Optimizer.Kind,
            plan.TrainBiases, batch, data.Train, data.Validation ?? data.Test, training.Accumulate,
            plan.DropoutFor(spec)).EnsureFits(backend);
        Model.Model model = resume?.Model ?? plan.CreateModel(parse, o, data.Train, ensureFits, ranks);
        if (resume is not null)
        {
            ensureFits(model.Spec);
        }
        training = training with { Dropout = plan.DropoutFor(model.Spec) };
        ModelChecks.MatchData(model, data.Train, resumePath ?? parse.GetValue(o.Init) ?? "the network");
        LabelCheck.WarnAboutMissingClasses(data.Train, notices);
        OutputRangeCheck.WarnIfTargetsOutOfRange(data.Train, model.Spec.Layers[^1].Activation, notices);
        var trainingData = new TrainingDataIdentity(data.Train);
        if (resume is not null)
        {
            trainingData.CheckSameAs(resume, resumePath!, data.Request.Source);
        }
        LossKind loss = plan.LossFor(data.Train);
        var metadata = new ModelMetadata
        {
            Scaling = data.Scaling,
            Loss = loss,
            ClassNames = data.ClassNames,
            // a CSV header's names of the target columns, else those of the --init model
            TargetNames = data.Train.IsClassification ? null : data.Train.TargetNames ?? model.Metadata.TargetNames,
            Dropout = training.Dropout,
            Data = data.Request.ToSource(),
        };
        using var network = new TrainingNetwork(backend, model, loss, plan.Optimizer, training.MicroBatchSizeOn(ranks.Size),
            plan.TrainBiases, accumulates: training.AccumulatesOn(ranks.Size), training.DropoutRates,
            training.LearningRates(data.Train.Count));
        Dataset? evaluation = data.Validation ?? data.Test;
        string evaluationName = data.Validation is null ? "test" : "val";
        DataParallelRun.RequireSameConfiguration(ranks, training, plan.Optimizer, $"{model.Spec} ({RunDescription.Layers(model.Spec)})",
            loss, plan.TrainBiases, backend.Name, trainingData, data.Scaling.Describe(), evaluation?.Count,
            data.Test?.Count, resume?.Position, training.DropoutText, allReduce);
        using var trainer = new Trainer(network, data.Train, evaluation, training, new DivergenceGuard(), ranks, allReduce);
        try
        {
            resume?.Restore(network, trainer);
        }
        catch (ArgumentException e)
        {
            // A position past this data's epoch is the file's doing: name it.
            throw new ArgumentException($"--resume {resumePath}: {e.Message}", e);
        }
        // early stopping goes on from the checkpoint's best model where it records one
        var best = new BestModel(resume?.EarlyStopping ?? EarlyStoppingState.Start(earlyStopping));
        // Every checkpoint of the run, on schedule or rescued, carries the model's metadata, the data's checksum and
        // early stopping's state.
        Checkpoint Capture() => Checkpoint.Capture(network, trainer, training, metadata, trainingData.Sha256, best.State);

        output.WriteLine($"network {model.Spec} ({RunDescription.Layers(model.Spec)}), loss {Names.Of(loss)}, "
            + $"optimizer {RunDescription.Optimizer(network.Optimizer.Settings)}, schedule {RunDescription.Schedule(training.Schedule)}, "
            + $"batch {RunDescription.Batch(training)}, backend {RunDescription.Backend(backend)}, seed {training.Seed}"
            + (training.DropoutRates is null ? "" : $", dropout {training.DropoutText}")
            + DataParallelRun.Describe(ranks, batch, allReduce));
        if (training.LinearScalingBase is int baseBatch)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"lr scaling linear: base batch {baseBatch}, lr {network.Optimizer.Settings.LearningRate:G4} x {batch}/{baseBatch} = "
                + $"{network.Optimizer.Settings.LearningRate * training.LearningRateScale:G4} (before schedule and warm-up)"));
        }
        if (resume is not null)
        {
            output.WriteLine($"resuming {resumePath} at epoch {resume.Position.Epoch + 1}, batch {resume.Position.Batch}");
            foreach (string note in plan.Notes)
            {
                output.WriteLine(note);
            }
        }

        if (metricsPath is not null && resume is not null
            && MetricsHistory.KeepEpochsUpTo(metricsPath, resume.Position.Epoch) is int dropped and > 0)
        {
            notices.WriteLine($"fastnet: note: --metrics {metricsPath}: dropped {dropped} line(s) after the checkpoint's "
                + $"epoch {resume.Position.Epoch}, which this run trains again");
        }
        using MetricsFile? metrics = metricsPath is null ? null : new MetricsFile(metricsPath, evaluationName, append: resume is not null);
        // SIGINT, SIGTERM: finish the current batch, save, then exit; after the last batch, finish the outputs first
        using var signals = new RunSignals(error, "finishing the batch and saving the checkpoint");
        var reports = new List<EpochReport>();
        string EarlyStoppingLine() => $"early stopping: no lower validation loss for {earlyStopping} epochs; "
            + $"restoring the model of epoch {best.Epoch}";
        int? checkpointEpoch = null; // the epoch --checkpoint holds, once this run has written it
        try
        {
            // The trainer's loop, with what the command shows and writes plugged in: the progress bar (when there is
            // one), each epoch's line, metrics and checkpoint, and early stopping.
            Func<Action<int, int>?, Action<int>?, Action<string>, int> train = (startEpoch, advance, print) =>
            {
                var observer = new TrainingObserver
                {
                    EpochStarting = startEpoch,
                    BatchTrained = advance,
                    EpochEnded = report =>
                    {
                        print(EpochLine.Format(report, training.Epochs, evaluationName));
                        metrics?.Write(report, data.Train.IsClassification ? null : new EpochRegression(
                            RegressionMetrics.Of(network, trainer.TrainData),
                            trainer.EvaluationData is { } held ? RegressionMetrics.Of(network, held) : null));
                        reports.Add(report);
                        // the epoch is judged before the checkpoint is taken, so that the checkpoint's early stopping
                        // state includes it
                        bool stop = best.Observe(report, network);
                        if (checkpointPath is not null)
                        {
                            CheckpointFile.Write(Capture(), checkpointPath);
                            checkpointEpoch = trainer.Epoch;
                        }
                        if (stop)
                        {
                            print(EarlyStoppingLine());
                        }
                        return stop;
                    },
                };
                // a checkpoint taken as early stopping ended its run resumes to that end
                if (best.HasRunOut(trainer.Epoch) && trainer.Position.Batch == 0)
                {
                    print(EarlyStoppingLine());
                    return 0;
                }
                try
                {
                    if (trainer.Run(observer, signals.Stop))
                    {
                        return 0;
                    }
                }
                catch (TrainingDivergedException e)
                {
                    // every rank judged the same all-reduced loss, so all of them are here: rank 0 says why
                    notices.WriteLine(DivergenceMessage.Format(e, checkpointPath, checkpointEpoch, savePath));
                    if (ranks.Size == 1)
                    {
                        return FastNetCli.Failure;
                    }
                    notices.Flush();
                    Communicators.Barrier(ranks);
                    throw new RanksEndedTogetherException(FastNetCli.Failure);
                }
                // All ranks stopped at the same batch; rank 0 keeps the state. No rank exits before it has: Open MPI's
                // mpirun ends the whole job as soon as one rank exits with a non-zero status, such as the stop's.
                if (ranks.Rank == 0)
                {
                    string path = RunRescue.Keep(Capture(), checkpointPath);
                    error.WriteLine($"fastnet: interrupted ({signals.Name}) in epoch {trainer.Epoch + 1} at batch {trainer.Position.Batch}; "
                        + $"saved {path}; continue with --resume {path}");
                }
                Communicators.Barrier(ranks);
                return signals.ExitCode;
            };
            int exit = !parse.GetValue(o.NoProgress) && TrainingProgress.Available(output)
                ? TrainingProgress.Run(training.Epochs, ExamplesLeft(trainer, training, data.Train.Count), () => trainer.RunningLoss, train)
                : train(null, null, output.WriteLine);
            if (exit != 0)
            {
                return exit;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a failed metrics line or checkpoint: the checkpoint file takes the state, unless it is what failed
            return RunRescue.AfterFailedOutput(e, Capture(), checkpointPath, error);
        }

        best.RestoreInto(network);
        // a saved model records the training set's checksum, so that eval can tell whether its data still gives it
        Model.Model trained = network.ToModel().WithMetadata(savePath is null ? metadata
            : metadata with { Data = metadata.Data! with { TrainingSha256 = trainingData.Sha256 } });
        if (!data.Train.IsClassification)
        {
            PrintRegressionScores(backend, trained, data, output);
        }
        if (data.Test is not null)
        {
            // the test set is on the backend already when it was the evaluation set
            DeviceDataset? evaluated = trainer.EvaluationData is { } e && ReferenceEquals(e.Data, data.Test) ? e : null;
            using DeviceDataset? uploaded = evaluated is null ? new DeviceDataset(backend, data.Test) : null;
            (double testLoss, double accuracy) = Evaluation.OfModel(backend, trained, loss, evaluated ?? uploaded!, ranks);
            output.WriteLine(double.IsNaN(accuracy)
                ? string.Create(CultureInfo.InvariantCulture, $"test loss {testLoss:G9}")
                : string.Create(CultureInfo.InvariantCulture, $"test accuracy {accuracy:F4}  test loss {testLoss:G9}"));
        }
        else if (best.Epoch > 0 && best.Epoch != trainer.Epoch)
        {
            // early stopping kept an earlier epoch's model: the last epoch's loss is not the kept model's
            EpochReport? kept = reports.Find(r => r.Epoch == best.Epoch);
            output.WriteLine(kept is null ? $"kept the model of epoch {best.Epoch}"
                : string.Create(CultureInfo.InvariantCulture, $"training loss {kept.TrainLoss:G7} (epoch {best.Epoch}, the model kept)"));
        }
        else if (reports.Count > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"final training loss {reports[^1].TrainLoss:G7}"));
        }
        if (savePath is not null)
        {
            try
            {
                ModelJson.Write(trained, savePath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                return RunRescue.AfterFailedOutput(e, Capture(), SaveRescue(savePath), error, "--save", savePath);
            }
            output.WriteLine($"saved {savePath}");
        }
        if (plotPath is not null && reports.Count > 0)
        {
            try
            {
                CurvePlot.Save(reports, evaluationName, $"{data.Train.Name}: {model.Spec} on {backend.Name}", plotPath,
                    parse.GetValue(o.PlotLog));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the model is in --save already when it was asked for
                Checkpoint? state = savePath is null ? Capture() : null;
                return RunRescue.AfterFailedOutput(e, state, checkpointPath, error, "--plot", plotPath);
            }
            output.WriteLine($"plotted {plotPath}");
            if (!CurvePlot.FontsAvailable)
            {
                error.WriteLine("fastnet: warning: no fonts found, so the plot has no text; install a font package "
                    + "(on Debian: apt-get install fonts-dejavu-core)");
            }
        }
        if (signals.Stop.IsCancellationRequested)
        {
            error.WriteLine($"fastnet: interrupted ({signals.Name}) after the last batch; the outputs were finished first");
            return signals.ExitCode;
        }
        return 0;
    }

    private static string FirstLine(SetSizes sizes) =>
        $"fastnet train: {sizes.Name}, {sizes.Train} training, {sizes.Validation} validation and {sizes.Test} test examples";

    /// <summary>The examples a run still trains: the rest of the current epoch, then every later epoch whole.</summary>
    private static long ExamplesLeft(Trainer trainer, TrainingOptions training, int count) =>
        trainer.Epoch >= training.Epochs ? 0
            : count - Math.Min(count, (long)trainer.Position.Batch * training.BatchSize)
                + (long)(training.Epochs - trainer.Epoch - 1) * count;

    /// <summary>RMSE, MAE and R² of the final model on the training, validation and test sets, from the same forward
    /// passes as <c>eval</c> makes, so both print the same figures.</summary>
    private static void PrintRegressionScores(IBackend backend, Model.Model trained, DataSplits data, TextWriter output)
    {
        foreach ((Dataset? set, string name) in new[] { (data.Train, "train "), (data.Validation, "val "), (data.Test, "test ") })
        {
            if (set is not null)
            {
                float[] outputs = Inference.Outputs(backend, trained, set);
                output.WriteLine(RegressionLine.Format(RegressionMetrics.Of(outputs, set.Targets, set.TargetCount), name));
            }
        }
    }
}
