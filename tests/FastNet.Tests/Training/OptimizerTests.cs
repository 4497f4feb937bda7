using FastNet.Kernels;
using FastNet.Training;
using Xunit;

namespace FastNet.Tests.Training;

/// <summary>
/// Every optimizer, on every backend, for three steps on a tiny problem, against a computation of its documented
/// formula written here in float64 from torch.optim's definitions (not from the backend code).
/// </summary>
public class OptimizerTests
{
    private static readonly float[] Theta0 = [0.5f, -1.25f, 2f, 0.001f];

    // The gradient of each of the three steps, per parameter.
    private static readonly float[][] Gradients =
    [
        [0.1f, -0.2f, 0.3f, 0f],
        [0.05f, 0.4f, -0.3f, 1e-3f],
        [-0.2f, 0.1f, 0.25f, -2f],
    ];

    public static TheoryData<string, OptimizerKind> Cases()
    {
        var data = new TheoryData<string, OptimizerKind>();
        foreach (BackendDescriptor backend in Backends.Available)
        {
            foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>())
            {
                data.Add(backend.Name, kind);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ThreeStepsFollowTheDocumentedFormula(string backendName, OptimizerKind kind)
    {
        var settings = new OptimizerSettings
        {
            Kind = kind,
            LearningRate = 0.1,
            Momentum = kind is OptimizerKind.Momentum or OptimizerKind.Nesterov or OptimizerKind.Lars ? 0.9 : null,
            WeightDecay = 0.01,
        }.WithDefaults();
        double[] expected = ByHand(settings);

        using IBackend backend = Backends.Create(backendName);
        int n = Theta0.Length;
        using FloatBuffer theta = backend.Allocate(n), grad = backend.Allocate(n);
        using FloatBuffer state = backend.Allocate(OptimizerStep.StateSlots(kind) * n);
        backend.Upload(Theta0, theta.All);
        var clock = new OptimizerClock(settings);
        foreach (float[] g in Gradients)
        {
            backend.Upload(g, grad.All);
            OptimizerStep step = clock.Next();
            if (OptimizerStep.IsLayerwise(kind))
            {
                // the four parameters as one weight segment
                backend.TrustRatioStep(grad.All, step, theta.All, state.Slice(0, n),
                    kind == OptimizerKind.Lamb ? state.Slice(n, n) : BufferView.Empty, adapt: true);
            }
            else
            {
                backend.OptimizerStep(grad.All, step, theta.All, state.All);
            }
        }
        float[] actual = new float[n];
        backend.Download(theta.All, actual);

        for (int i = 0; i < n; i++)
        {
            // Three elementwise steps, each within the rule's elementwise bound of the values it combines (LARS and
            // LAMB: of a reduction over the n parameters, for the trust ratio).
            int k = OptimizerStep.IsLayerwise(kind) ? n : 1;
            double bound = 3 * Tolerance.Bound(k, Math.Abs(expected[i]) + Math.Abs(expected[i] - Theta0[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= bound,
                $"{kind} parameter {i}: expected {expected[i]:G9}, got {actual[i]:G9} (±{bound:G3})");
        }
    }

    [Fact]
    public void MomentumIsSeed001sWeightChangeRule()
    {
        // Seed 001: Δw(t) = −η·∂C/∂w + α·Δw(t−1), for a constant η, must equal torch's b ← μb + g; θ ← θ − ηb.
        const double eta = 0.1, alpha = 0.9;
        double w = Theta0[0], previous = 0;
        foreach (float[] g in Gradients)
        {
            double change = -eta * (g[0] + 0.01 * w) + alpha * previous;
            w += change;
            previous = change;
        }
        var settings = new OptimizerSettings { Kind = OptimizerKind.Momentum, LearningRate = eta, Momentum = alpha, WeightDecay = 0.01 }.WithDefaults();
        Assert.Equal(w, ByHand(settings)[0], 12);
    }

    /// <summary>torch.optim's update rules, step by step, in float64.</summary>
    private static double[] ByHand(OptimizerSettings s)
    {
        int n = Theta0.Length;
        double lr = s.LearningRate!.Value, mu = s.Momentum!.Value, b1 = s.Beta1!.Value, b2 = s.Beta2!.Value;
        double eps = s.Epsilon!.Value, wd = s.WeightDecay;
        double[] theta = [.. Theta0.Select(v => (double)v)];
        double[] m = new double[n], v = new double[n];
        double muProduct = 1;
        for (int t = 1; t <= Gradients.Length; t++)
        {
            if (s.Kind is OptimizerKind.Lars or OptimizerKind.Lamb)
            {
                LayerwiseByHand(s, t, Gradients[t - 1], theta, m, v);
                continue;
            }
            double muT = b1 * (1 - 0.5 * Math.Pow(0.96, t * 0.004));
            double muNext = b1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * 0.004));
            muProduct *= muT;
            for (int i = 0; i < n; i++)
            {
                double g = Gradients[t - 1][i] + wd * theta[i];
                switch (s.Kind)
                {
                    case OptimizerKind.Sgd:
                        theta[i] -= lr * g;
                        break;
                    case OptimizerKind.Momentum:
                        m[i] = t == 1 ? g : mu * m[i] + g;
                        theta[i] -= lr * m[i];
                        break;
                    case OptimizerKind.Nesterov:
                        m[i] = t == 1 ? g : mu * m[i] + g;
                        theta[i] -= lr * (g + mu * m[i]);
                        break;
                    case OptimizerKind.Adagrad:
                        v[i] += g * g;
                        theta[i] -= lr * g / (Math.Sqrt(v[i]) + eps);
                        break;
                    case OptimizerKind.RmsProp:
                        v[i] = b2 * v[i] + (1 - b2) * g * g;
                        theta[i] -= lr * g / (Math.Sqrt(v[i]) + eps);
                        break;
                    case OptimizerKind.Adam:
                        m[i] = b1 * m[i] + (1 - b1) * g;
                        v[i] = b2 * v[i] + (1 - b2) * g * g;
                        double mHat = m[i] / (1 - Math.Pow(b1, t)), vHat = v[i] / (1 - Math.Pow(b2, t));
                        theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
                        break;
                    case OptimizerKind.Nadam:
                        m[i] = b1 * m[i] + (1 - b1) * g;
                        v[i] = b2 * v[i] + (1 - b2) * g * g;
                        double denom = Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps;
                        theta[i] -= lr * (1 - muT) / (1 - muProduct) * g / denom
                            + lr * muNext / (1 - muProduct * muNext) * m[i] / denom;
                        break;
                }
            }
        }
        return theta;
    }

    // LARS (You, Gitman, Ginsburg 2017) and LAMB (You et al. 2019) on one weight segment: norms over all of theta.
    private static void LayerwiseByHand(OptimizerSettings s, int t, float[] gradient, double[] theta, double[] m,
        double[] v)
    {
        int n = theta.Length;
        double lr = s.LearningRate!.Value, wd = s.WeightDecay, b1 = s.Beta1!.Value, b2 = s.Beta2!.Value;
        double wNorm = Math.Sqrt(theta.Sum(x => x * x));
        if (s.Kind == OptimizerKind.Lars)
        {
            double gNorm = Math.Sqrt(gradient.Sum(x => (double)x * x));
            double local = s.TrustCoefficient!.Value * wNorm / (gNorm + wd * wNorm);
            for (int i = 0; i < n; i++)
            {
                m[i] = s.Momentum!.Value * m[i] + lr * local * (gradient[i] + wd * theta[i]);
                theta[i] -= m[i];
            }
            return;
        }
        double[] u = new double[n];
        for (int i = 0; i < n; i++)
        {
            m[i] = b1 * m[i] + (1 - b1) * gradient[i];
            v[i] = b2 * v[i] + (1 - b2) * gradient[i] * gradient[i];
            double mHat = m[i] / (1 - Math.Pow(b1, t)), vHat = v[i] / (1 - Math.Pow(b2, t));
            u[i] = mHat / (Math.Sqrt(vHat) + s.Epsilon!.Value) + wd * theta[i];
        }
        double ratio = wNorm / Math.Sqrt(u.Sum(x => x * x));
        for (int i = 0; i < n; i++)
        {
            theta[i] -= lr * ratio * u[i];
        }
    }
}
