using FastNet.Data;
using FastNet.Kernels;
using FastNet.Model;
using FastNet.Training;
using Xunit;

namespace FastNet.Onnx.Tests;

/// <summary>Small networks with random parameters, raw features for each preprocessing, and FastNet's predictions
/// for them as <c>fastnet predict</c> computes them.</summary>
internal static class TestNetworks
{
    /// <summary>Rows of features per test: not a multiple of any vector width.</summary>
    public const int Rows = 37;

    /// <summary>Every activation kind (leaky ReLU with slope 0.01) × biases × scalings.</summary>
    public static TheoryData<Activation, bool, string> ActivationsBiasesAndScalings()
    {
        var data = new TheoryData<Activation, bool, string>();
        foreach (Activation activation in Activation.OneOfEachKind)
        {
            foreach (bool biases in new[] { true, false })
            {
                foreach (string scaling in Scalings)
                {
                    data.Add(activation, biases, scaling);
                }
            }
        }
        return data;
    }

    public static TheoryData<bool, string> BiasesAndScalings()
    {
        var data = new TheoryData<bool, string>();
        foreach (bool biases in new[] { true, false })
        {
            foreach (string scaling in Scalings)
            {
                data.Add(biases, scaling);
            }
        }
        return data;
    }

    public static string[] Scalings => ["none", "divide", "standardize"];

    /// <summary>Weights uniform in ±1/√fan-in, so no activation saturates; biases uniform in ±0.5.</summary>
    public static Model.Model Random(NetworkSpec spec, int seed, ModelMetadata? metadata = null)
    {
        var random = new Random(seed);
        float[] parameters = new float[spec.ParameterCount];
        var model = new Model.Model(spec, parameters) { Metadata = metadata ?? ModelMetadata.None };
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            float range = 1 / MathF.Sqrt(spec.InputsOf(l));
            for (int j = 0; j < spec.Layers[l].Units; j++)
            {
                for (int i = 0; i < spec.InputsOf(l); i++)
                {
                    model.Weight(l, j, i) = (float)(random.NextDouble() * 2 - 1) * range;
                }
                if (spec.Layers[l].HasBias)
                {
                    model.Bias(l, j) = (float)(random.NextDouble() - 0.5);
                }
            }
        }
        return model;
    }

    /// <summary>Raw features for a preprocessing kind, and the recorded preprocessing: values in ±2 as they are,
    /// pixel values divided by 255, or features of various offsets and spreads standardized.</summary>
    public static (float[] Features, InputScaling Scaling) Features(string kind, int inputs, int seed)
    {
        var random = new Random(seed);
        float[] features = new float[Rows * inputs];
        switch (kind)
        {
            case "none":
                for (int i = 0; i < features.Length; i++)
                {
                    features[i] = (float)(random.NextDouble() * 4 - 2);
                }
                return (features, InputScaling.None);
            case "divide":
                for (int i = 0; i < features.Length; i++)
                {
                    features[i] = random.Next(256);
                }
                return (features, new DivideScaling(255));
            case "standardize":
                float[] mean = new float[inputs], scale = new float[inputs];
                for (int j = 0; j < inputs; j++)
                {
                    mean[j] = (float)(random.NextDouble() * 200 - 100);
                    scale[j] = (float)(random.NextDouble() * 30 + 0.1);
                }
                for (int i = 0; i < features.Length; i++)
                {
                    int j = i % inputs;
                    features[i] = mean[j] + (float)(random.NextDouble() * 4 - 2) * scale[j];
                }
                return (features, new StandardizeScaling(new Standardizer(mean, scale)));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "none, divide or standardize");
        }
    }

    /// <summary>The features after the model's preprocessing, as <c>predict</c> applies it.</summary>
    public static float[] Scaled(Model.Model model, float[] features)
    {
        float[] scaled = [.. features];
        (model.Metadata.Scaling ?? InputScaling.None).ApplyInPlace(scaled, model.Spec.Inputs, "test features");
        return scaled;
    }

    /// <summary>The model's outputs on every backend available here, after its preprocessing.</summary>
    public static IEnumerable<(string Backend, float[] Outputs)> Predictions(Model.Model model, float[] features)
    {
        float[] scaled = Scaled(model, features);
        foreach (BackendDescriptor descriptor in Backends.Available)
        {
            using IBackend backend = Backends.Create(descriptor.Name);
            yield return (descriptor.Name, Inference.Outputs(backend, model, scaled));
        }
    }
}
