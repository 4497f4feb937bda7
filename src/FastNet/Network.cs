using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;

namespace FastNet;

/// <summary>
/// FastNet as a library in one type: build a multilayer perceptron for a dataset, train it on in-memory data,
/// evaluate it, predict, save and load it, on the backend of your choice. Inputs are given raw: the network applies
/// its preprocessing (<see cref="Scaling"/>) to a copy, and saves it in the model file, as <c>fastnet train</c> does.
/// <code>
/// Dataset digits = EmbeddedDatasets.Digits();
/// TrainTestSplit split = DataSplitter.Split(digits, testFraction: 0.2, seed: 1);
/// using var network = Network.Create(split.Train, hiddenLayers: [64], scaling: new DivideScaling(16));
/// network.Train(split.Train, epochs: 20);
/// double accuracy = network.Evaluate(split.Test!).Accuracy;
/// </code>
/// A classifier (data with class labels) has an identity output layer trained with softmax cross-entropy, and
/// <see cref="Predict"/> returns class probabilities; a regression network has an identity output layer trained
/// with mean squared error and returns its outputs.
/// </summary>
public sealed class Network : IDisposable
{
    private readonly IBackend _backend;
    private bool _disposed;

    private Network(Model.Model model, IBackend backend)
    {
        Model = model;
        _backend = backend;
    }

    /// <summary>The architecture, current parameters and metadata.</summary>
    public Model.Model Model { get; private set; }

    /// <summary>The preprocessing applied to every input.</summary>
    public InputScaling Scaling => Model.Metadata.Scaling ?? InputScaling.None;

    /// <summary>The loss it trains with.</summary>
    public LossKind Loss => Model.Metadata.Loss ?? LossKind.MeanSquaredError;

    /// <summary>The backend computing (reference, simd, or gpu when its assembly is registered).</summary>
    public string Backend => _backend.Name;

    /// <summary>A new network for <paramref name="data"/>'s shape: its features in, one output per class (or per
    /// target) out, with the given hidden layers, weights drawn from <paramref name="seed"/> (He for ReLU, Xavier
    /// otherwise).</summary>
    /// <param name="data">Decides the input and output sizes and whether this is a classifier.</param>
    /// <param name="hiddenLayers">Units of each hidden layer, input side first; empty for none.</param>
    /// <param name="activation">The hidden layers' activation; ReLU by default.</param>
    /// <param name="scaling">Preprocessing of the inputs (e.g. <c>new DivideScaling(255)</c> for pixels); none by
    /// default.</param>
    /// <param name="seed">Seeds the initial weights.</param>
    /// <param name="backend">"auto", "simd", "reference", or another registered backend.</param>
    public static Network Create(Dataset data, IReadOnlyList<int> hiddenLayers, Activation? activation = null,
        InputScaling? scaling = null, ulong seed = 1, string backend = BackendRegistry.Auto)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(hiddenLayers);
        // a scaling of another width would be saved, and the file then refused by Load
        scaling?.CheckFeatureCount(data.FeatureCount, nameof(scaling));
        var layers = hiddenLayers.Select(units => new LayerSpec(units, activation ?? Activation.Relu))
            .Append(new LayerSpec(data.TargetCount, Activation.Identity));
        var spec = new NetworkSpec(data.FeatureCount, [.. layers]);
        Model.Model model = Initializer.Parse("auto").Create(spec, new SeededRandom(seed)).WithMetadata(new ModelMetadata
        {
            Scaling = scaling ?? InputScaling.None,
            Loss = data.IsClassification ? LossKind.SoftmaxCrossEntropy : LossKind.MeanSquaredError,
            ClassNames = data.IsClassification ? data.ClassNames ?? ModelMetadata.NumberedClasses(data.ClassCount) : null,
        });
        return new Network(model, Backends.Create(backend));
    }

    /// <summary>Loads a model file written by <see cref="Save"/> or <c>fastnet train --save</c>.</summary>
    /// <exception cref="ModelFormatException">The file is missing or malformed; the message names it.</exception>
    public static Network Load(string path, string backend = BackendRegistry.Auto) =>
        new(ModelJson.Read(path), Backends.Create(backend));

    /// <summary>Trains on <paramref name="data"/> for <paramref name="epochs"/> passes in shuffled mini-batches and
    /// returns one report per epoch. Each call is one run with fresh optimizer state (Adam with
    /// <c>torch.optim</c>'s defaults unless <paramref name="optimizer"/> says otherwise).</summary>
    /// <exception cref="ArgumentException">A feature or target is NaN or infinite (named), or the data does not fit
    /// the network.</exception>
    /// <exception cref="ObjectDisposedException">The network was disposed.</exception>
    public IReadOnlyList<EpochReport> Train(Dataset data, int epochs, int batchSize = 32, OptimizerSettings? optimizer = null,
        ulong seed = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Dataset scaled = Scaled(data);
        if (scaled.Count == 0)
        {
            throw new ArgumentException($"{scaled.Name}: no training examples", nameof(data));
        }
        int batch = Math.Min(batchSize, scaled.Count);
        var options = new TrainingOptions(epochs, batch, Shuffle: true, seed);
        OptimizerSettings settings = (optimizer ?? new OptimizerSettings { Kind = OptimizerKind.Adam }).WithDefaults();
        using var network = new TrainingNetwork(_backend, Model, Loss, settings, batch);
        using var trainer = new Trainer(network, scaled, null, options);
        var reports = new List<EpochReport>();
        trainer.Run(reports.Add);
        Model = network.ToModel().WithMetadata(Model.Metadata);
        return reports;
    }

    /// <summary>Mean loss and accuracy (NaN for regression) on <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data's rows do not fit the network, or a classifier's targets are not
    /// probabilities (as <see cref="Train"/> refuses them), or a feature or target is NaN or infinite.</exception>
    /// <exception cref="ObjectDisposedException">The network was disposed.</exception>
    public (double Loss, double Accuracy) Evaluate(Dataset data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != Model.Spec.Inputs || data.TargetCount != Model.Spec.Outputs)
        {
            throw new ArgumentException($"{data.Name} has rows of {data.FeatureCount} features and {data.TargetCount} "
                + $"targets; the network {Model.Spec} takes {Model.Spec.Inputs} and gives {Model.Spec.Outputs}", nameof(data));
        }
        if (Loss == LossKind.SoftmaxCrossEntropy)
        {
            ProbabilityTargets.Require(data);
        }
        using var device = new DeviceDataset(_backend, Scaled(data));
        return Evaluation.OfModel(_backend, Model, Loss, device);
    }

    /// <summary>The outputs for <paramref name="features"/> ([rows, inputs], raw): class probabilities
    /// ([rows, classes]) for a classifier, else the output values ([rows, outputs]).</summary>
    /// <exception cref="ArgumentException">A feature is NaN or infinite (named), or the features are not whole
    /// rows.</exception>
    /// <exception cref="ObjectDisposedException">The network was disposed.</exception>
    public float[] Predict(float[] features)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(features);
        FiniteValues.Require(features, Model.Spec.Inputs, "the features", "feature", nameof(features));
        float[] scaled = [.. features];
        Scaling.ApplyInPlace(scaled, Model.Spec.Inputs, "the features");
        float[] outputs = Inference.Outputs(_backend, Model, scaled);
        return Loss == LossKind.SoftmaxCrossEntropy ? Inference.Softmax(outputs, Model.Spec.Outputs) : outputs;
    }

    /// <summary>The most probable class of each row of <paramref name="features"/> ([rows, inputs], raw).</summary>
    public int[] Classify(float[] features) => Inference.ArgMax(Predict(features), Model.Spec.Outputs);

    /// <summary>Writes the model file (atomically): architecture, parameters, preprocessing, loss and classes.</summary>
    public void Save(string path) => ModelJson.Write(Model, path);

    /// <summary>Releases the backend; <see cref="Model"/> and <see cref="Save"/> stay usable, training, evaluating
    /// and predicting are refused.</summary>
    public void Dispose()
    {
        _disposed = true;
        _backend.Dispose();
    }

    // The caller's data stays as given: training and evaluation see a preprocessed copy.
    private Dataset Scaled(Dataset data)
    {
        FiniteValues.Require(data, nameof(data));
        if (Scaling == InputScaling.None)
        {
            return data;
        }
        // a compact set's copy shares its bytes and scales them as rows are read
        Dataset copy = data.IsCompact && data.Scaling == InputScaling.None
            ? data.WithName(data.Name)
            : data.WithFeatures(data.FeatureCount, [.. data.Features]);
        Scaling.ApplyInPlace(copy);
        return copy;
    }
}
